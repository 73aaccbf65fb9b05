//! A typed client of the running server, in the manner of ibis' `ApiClient`: one method per
//! server function and per agency API route the tests use, each answering an [`Answer`] whose
//! value deserializes into the type the server sends. The `/fn/...` and `/api/...` URLs live
//! here and nowhere else in the tests.
//!
//! A client speaks as somebody: [`TestApp::anonymous`], a resident or staff member's session
//! ([`TestApp::as_user`]) or an agency's bearer token ([`TestApp::as_agency`]).
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use super::TestApp;
use app::console::ConsoleSummary;
use app::error::AppError;
use domain::account::Profile;
use domain::consent::{ConsentEventView, EnrollmentEventView, MySummary, MySystem, Receipt};
use domain::decision::{AccessEntry, AccessPage};
use domain::ledger::EntryProof;
use domain::paging::PageView;
use domain::requests::{
    AccessPackage, AuditPage, CaseFile, Notice, NoticesPage, Notification, PackageSummary, QueuePage,
    RequestDetail, RequestStats, RequestSummary,
};
use serde::Deserialize;
use serde::de::{DeserializeOwned, IgnoredAny};
use server::api::changes::ConsentChangesDocument;
use server::api::consent::CheckResponse;
use server::api::enrollments::CodeResponse;
use server::api::ledger::{CheckpointList, CheckpointResponse, ConsistencyResponse, InclusionResponse};
use server::api::oauth::TokenResponse;
use server::api::register::RegisterDocument;
use server::api::requests::{CompleteTask, CompletedTask, TaskList};
use server::api::subjects::QueryResponse;
use server::api::whoami::WhoAmI;
use std::collections::BTreeMap;
use std::fmt;
use std::marker::PhantomData;

/// What the server answered to one call: status, headers and body, and the types its
/// success (`T`) and its refusal (`E`) deserialize into.
pub struct Answer<T, E = AppError> {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub body: String,
    types: PhantomData<fn() -> (T, E)>,
}

/// An answer of the agency API, whose refusals are [`ApiError`]s.
pub type ApiAnswer<T> = Answer<T, ApiError>;

/// The type of answers that are text (CSV), not JSON: read them with [`Answer::text`].
pub enum Text {}

impl<T, E> fmt::Debug for Answer<T, E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.status, self.body)
    }
}

impl<T, E> Answer<T, E> {
    async fn read(response: reqwest::Response) -> Self {
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        Answer {
            status,
            headers,
            body: response.text().await.unwrap(),
            types: PhantomData,
        }
    }

    /// The value of header `name`, if the answer has it.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).map(|v| v.to_str().unwrap())
    }

    /// The value the answer set for cookie `name`, if it set one.
    pub fn set_cookie(&self, name: &str) -> Option<String> {
        self.headers
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .filter_map(|v| v.split(';').next()?.split_once('='))
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.to_owned())
    }

    /// The new `gh_session` value, if the answer set one ("" when it cleared it).
    pub fn cookie(&self) -> Option<String> {
        self.headers
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find_map(|v| v.strip_prefix("gh_session="))
            .map(|v| v.split(';').next().unwrap_or_default().to_owned())
    }

    /// The session an answer of 200 started.
    pub fn session(&self) -> String {
        assert_eq!(self.status, 200, "{}", self.body);
        self.cookie().expect("the answer sets a session cookie")
    }

    /// The same answer with its success type forgotten (to list answers of different calls).
    pub fn erased(self) -> Answer<IgnoredAny, E> {
        Answer {
            status: self.status,
            headers: self.headers,
            body: self.body,
            types: PhantomData,
        }
    }

    /// Status and body, whatever the types (to compare answers of different calls).
    pub fn parts(self) -> (u16, String) {
        (self.status, self.body)
    }

    /// The body of an answer of 200, as text.
    pub fn text(self) -> String {
        assert_eq!(self.status, 200, "{}", self.body);
        self.body
    }
}

impl<T: DeserializeOwned, E> Answer<T, E> {
    /// The value of an answer of 200; panics with the body on any other status.
    pub fn ok(self) -> T {
        assert_eq!(self.status, 200, "{}", self.body);
        self.value()
    }

    /// The body as the success type, whatever the status.
    pub fn value(&self) -> T {
        let body = if self.body.is_empty() { "null" } else { &self.body };
        serde_json::from_str(body).unwrap_or_else(|e| panic!("{e}: {} {}", self.status, self.body))
    }
}

impl<T, E: DeserializeOwned> Answer<T, E> {
    /// The refusal of an answer that is not a success; panics on a success.
    pub fn error(&self) -> E {
        assert!(
            !(200..300).contains(&self.status),
            "expected a refusal: {} {}",
            self.status,
            self.body
        );
        serde_json::from_str(&self.body)
            .unwrap_or_else(|e| panic!("not an error body ({e}): {} {}", self.status, self.body))
    }
}

/// The body of every agency API refusal. Unknown fields are refused, so a refusal that
/// also carried a decision or data fails to read.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApiError {
    pub error: String,
    pub message: String,
    /// For denied data queries: the reason code of the decision.
    #[serde(default)]
    pub reason: Option<String>,
    /// For denied data queries: the recorded decision.
    #[serde(default)]
    pub decision_id: Option<String>,
}

/// The parts of the OpenAPI document the tests read.
#[derive(Debug, Deserialize)]
pub struct OpenApiDoc {
    pub openapi: String,
    /// Path template to method (lowercase) to operation.
    pub paths: BTreeMap<String, BTreeMap<String, Operation>>,
    pub components: Components,
}

impl OpenApiDoc {
    /// Every documented operation, as (method, path).
    pub fn operations(&self) -> Vec<(String, String)> {
        self.paths
            .iter()
            .flat_map(|(path, item)| item.keys().map(|method| (method.clone(), path.clone())))
            .collect()
    }

    /// The operation `method` on `path`; panics when it is not documented.
    pub fn operation(&self, method: &str, path: &str) -> &Operation {
        self.paths
            .get(path)
            .and_then(|item| item.get(method))
            .unwrap_or_else(|| panic!("{method} {path} is not documented"))
    }
}

#[derive(Debug, Deserialize)]
pub struct Operation {
    /// Each requirement: security scheme name to the scopes it needs.
    #[serde(default)]
    pub security: Vec<BTreeMap<String, Vec<String>>>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Components {
    pub security_schemes: BTreeMap<String, SecurityScheme>,
}

#[derive(Debug, Deserialize)]
pub struct SecurityScheme {
    pub flows: Option<OAuthFlows>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OAuthFlows {
    pub client_credentials: Option<OAuthFlow>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OAuthFlow {
    pub token_url: String,
}

/// A privacy request as the resident's form sends it.
#[derive(Debug, Clone, Default)]
pub struct Filing<'a> {
    pub kind: &'a str,
    /// "all" or "some".
    pub scope: Option<&'a str>,
    pub systems: Vec<&'a str>,
    /// "system/purpose", for an objection.
    pub purpose: Option<&'a str>,
    pub details: Option<&'a str>,
}

impl<'a> Filing<'a> {
    /// A request of `kind` ("access", "erasure"...; anything, to test refusals).
    pub fn new(kind: &'a str) -> Self {
        Filing {
            kind,
            ..Filing::default()
        }
    }

    /// Scope "some", with these systems ticked.
    pub fn systems(self, systems: &[&'a str]) -> Self {
        Filing {
            scope: Some("some"),
            systems: systems.to_vec(),
            ..self
        }
    }

    pub fn scope(self, scope: &'a str) -> Self {
        Filing {
            scope: Some(scope),
            ..self
        }
    }

    pub fn purpose(self, purpose: &'a str) -> Self {
        Filing {
            purpose: Some(purpose),
            ..self
        }
    }

    pub fn details(self, details: &'a str) -> Self {
        Filing {
            details: Some(details),
            ..self
        }
    }

    fn form(&self) -> Vec<(&'a str, &'a str)> {
        let mut form = vec![("kind", self.kind)];
        form.extend(self.scope.map(|s| ("scope", s)));
        form.extend(self.systems.iter().map(|s| ("systems[]", *s)));
        form.extend(self.purpose.map(|p| ("purpose", p)));
        form.extend(self.details.map(|d| ("details", d)));
        form
    }
}

/// A request an officer files for a resident: by number, or name and a way to reach them.
#[derive(Debug, Clone, Default)]
pub struct Assisted<'a> {
    pub resident_number: Option<&'a str>,
    pub name: Option<&'a str>,
    pub email: Option<&'a str>,
    pub phone: Option<&'a str>,
    pub kind: &'a str,
    pub purpose: Option<&'a str>,
    pub details: Option<&'a str>,
}

impl<'a> Assisted<'a> {
    fn form(&self) -> Vec<(&'a str, &'a str)> {
        let mut form = Vec::new();
        form.extend(self.resident_number.map(|v| ("resident_number", v)));
        form.extend(self.name.map(|v| ("name", v)));
        form.extend(self.email.map(|v| ("email", v)));
        form.extend(self.phone.map(|v| ("phone", v)));
        form.push(("kind", self.kind));
        form.extend(self.purpose.map(|v| ("purpose", v)));
        form.extend(self.details.map(|v| ("details", v)));
        form
    }
}

/// The console queue's filters; empty means every open request.
#[derive(Debug, Clone, Default)]
pub struct QueueQuery<'a> {
    pub status: Option<&'a str>,
    pub kind: Option<&'a str>,
    pub agency: Option<&'a str>,
    pub overdue: bool,
    pub mine: bool,
    pub q: Option<&'a str>,
    pub cursor: Option<&'a str>,
}

/// The access log's filters.
#[derive(Debug, Clone, Default)]
pub struct AccessLogQuery<'a> {
    pub agency: Option<&'a str>,
    /// "permit" or "deny".
    pub decision: Option<&'a str>,
    pub before: Option<i64>,
}

/// A client of the test server, speaking as one caller.
#[derive(Clone)]
pub struct ApiClient {
    http: reqwest::Client,
    base: String,
    session: Option<String>,
    token: Option<String>,
    headers: Vec<(String, String)>,
}

impl TestApp {
    /// A client without a session or token.
    pub fn anonymous(&self) -> ApiClient {
        ApiClient {
            http: self.client.clone(),
            base: self.base.clone(),
            session: None,
            token: None,
            headers: Vec::new(),
        }
    }

    /// A client with the session cookie `session` (a resident, officer or admin).
    pub fn as_user(&self, session: &str) -> ApiClient {
        ApiClient {
            session: Some(session.to_owned()),
            ..self.anonymous()
        }
    }

    /// A client with the agency bearer token `token`.
    pub fn as_agency(&self, token: &str) -> ApiClient {
        ApiClient {
            token: Some(token.to_owned()),
            ..self.anonymous()
        }
    }
}

impl ApiClient {
    /// The same client, sending header `name` on every call too.
    pub fn with_header(mut self, name: &str, value: &str) -> ApiClient {
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    async fn send<T, E>(&self, mut request: reqwest::RequestBuilder) -> Answer<T, E> {
        if let Some(session) = &self.session {
            request = request.header("cookie", format!("gh_session={session}"));
        }
        if let Some(token) = &self.token {
            request = request.bearer_auth(token);
        }
        for (name, value) in &self.headers {
            request = request.header(name, value);
        }
        Answer::read(request.send().await.unwrap()).await
    }

    /// POSTs a form to a server function, as `fetch` does (a JSON answer, no redirect).
    async fn call<T>(&self, path: &str, form: &[(&str, &str)]) -> Answer<T> {
        self.send(self.http.post(self.url(path)).form(form)).await
    }

    async fn get<T, E>(&self, path: &str) -> Answer<T, E> {
        self.send(self.http.get(self.url(path))).await
    }

    async fn post_json<T>(&self, path: &str, body: &impl serde::Serialize) -> ApiAnswer<T> {
        self.send(self.http.post(self.url(path)).json(body)).await
    }

    // --- Accounts (server functions) ---

    /// Signs up a resident (in English).
    pub async fn sign_up(&self, email: &str, password: &str, display_name: &str) -> Answer<()> {
        self.sign_up_in(email, password, display_name, "en").await
    }

    /// Signs up a resident who prefers `lang`.
    pub async fn sign_up_in(
        &self,
        email: &str,
        password: &str,
        display_name: &str,
        lang: &str,
    ) -> Answer<()> {
        let form = [
            ("email", email),
            ("password", password),
            ("display_name", display_name),
            ("lang", lang),
        ];
        self.call("/fn/auth/sign_up", &form).await
    }

    pub async fn sign_in(&self, email: &str, password: &str) -> Answer<()> {
        self.call("/fn/auth/sign_in", &[("email", email), ("password", password)])
            .await
    }

    /// Signs in from a page's `/login?next=…`, as the form sends its hidden field.
    pub async fn sign_in_returning_to(&self, email: &str, password: &str, next: &str) -> Answer<()> {
        self.call(
            "/fn/auth/sign_in",
            &[("email", email), ("password", password), ("next", next)],
        )
        .await
    }

    /// Who the server takes this client for.
    pub async fn who_am_i(&self) -> Answer<Option<domain::account::CurrentUser>> {
        self.call("/fn/auth/me", &[]).await
    }

    /// The signed-in person's live sessions.
    pub async fn my_sessions(&self) -> Answer<Vec<domain::account::SessionView>> {
        self.call("/fn/auth/sessions", &[]).await
    }

    /// Ends one of the signed-in person's sessions.
    pub async fn end_session(&self, id: &str) -> Answer<()> {
        self.call("/fn/auth/end_session", &[("id", id)]).await
    }

    /// Ends every session of the signed-in person but this one.
    pub async fn end_other_sessions(&self) -> Answer<()> {
        self.call("/fn/auth/end_other_sessions", &[]).await
    }

    /// The second step of a pending staff sign-in (its cookie set with [`ApiClient::with_header`]).
    pub async fn second_factor_step(&self) -> Answer<app::accounts::PendingSignInView> {
        self.call("/fn/auth/second_factor", &[]).await
    }

    /// Enters the second step's code.
    pub async fn complete_sign_in(&self, code: &str) -> Answer<()> {
        self.call("/fn/auth/complete_sign_in", &[("code", code)]).await
    }

    /// Enters the operator's enrolment code in a pending sign-in (the answer carries the
    /// pending sign-in's new cookie).
    pub async fn redeem_enrolment_code(&self, code: &str) -> Answer<()> {
        self.call("/fn/auth/redeem_enrolment_code", &[("enrolment_code", code)])
            .await
    }

    pub async fn sign_out(&self) -> Answer<()> {
        self.call("/fn/auth/sign_out", &[]).await
    }

    pub async fn change_password(&self, current_password: &str, new_password: &str) -> Answer<()> {
        let form = [
            ("current_password", current_password),
            ("new_password", new_password),
        ];
        self.call("/fn/auth/change_password", &form).await
    }

    pub async fn delete_account(&self, password: &str) -> Answer<()> {
        self.call("/fn/auth/delete_account", &[("password", password)])
            .await
    }

    // --- The register desk and public reviews (server functions) ---

    /// Saves a system from the register form (`fields`: the form's field names and values).
    pub async fn save_system_entry(&self, fields: &[(&str, &str)]) -> Answer<()> {
        let named: Vec<(String, &str)> = fields.iter().map(|(k, v)| (format!("fields[{k}]"), *v)).collect();
        let form: Vec<(&str, &str)> = named.iter().map(|(k, v)| (k.as_str(), *v)).collect();
        self.call("/fn/console/save_system", &form).await
    }

    /// Saves an agency from its form.
    pub async fn save_agency_entry(&self, fields: &[(&str, &str)]) -> Answer<()> {
        let named: Vec<(String, &str)> = fields.iter().map(|(k, v)| (format!("fields[{k}]"), *v)).collect();
        let form: Vec<(&str, &str)> = named.iter().map(|(k, v)| (k.as_str(), *v)).collect();
        self.call("/fn/console/save_agency", &form).await
    }

    /// Admins: grants or withdraws an officer's register role.
    pub async fn grant_register_role(&self, user: &str, grant: bool) -> Answer<()> {
        let grant = if grant { "yes" } else { "no" };
        self.call("/fn/console/register_role", &[("user", user), ("grant", grant)])
            .await
    }

    pub async fn get_review(&self, id: &str) -> Answer<app::reviews::ReviewPage> {
        self.call("/fn/reviews/get", &[("id", id), ("lang", "en")]).await
    }

    pub async fn review_preview(&self, id: &str) -> Answer<domain::register::SystemView> {
        self.call("/fn/reviews/preview", &[("id", id), ("lang", "en")])
            .await
    }

    /// The page of reviews after `cursor` (a first page when `None`).
    pub async fn review_page(&self, cursor: Option<&str>) -> Answer<domain::register::ReviewListPage> {
        let mut form = vec![("lang", "en")];
        form.extend(cursor.map(|c| ("cursor", c)));
        self.call("/fn/reviews/list", &form).await
    }

    /// Writes a draft's report: every section in English as `text`, and the period.
    pub async fn save_review_report(&self, id: &str, days: &str, text: &str) -> Answer<()> {
        let names: Vec<String> = domain::register::ReportSection::ALL
            .iter()
            .map(|s| format!("fields[{}.en]", s.code()))
            .collect();
        let mut form = vec![("id", id), ("comment_days", days)];
        form.extend(names.iter().map(|n| (n.as_str(), text)));
        self.call("/fn/reviews/report", &form).await
    }

    /// `publish`, `close` or `activate`.
    pub async fn review_step(&self, id: &str, step: &str) -> Answer<()> {
        self.call("/fn/reviews/step", &[("id", id), ("step", step)]).await
    }

    pub async fn comment_on_review(&self, id: &str, section: &str, body: &str) -> Answer<()> {
        self.call(
            "/fn/reviews/comment",
            &[("id", id), ("section", section), ("body", body)],
        )
        .await
    }

    pub async fn answer_comments(&self, id: &str, answer: &str) -> Answer<()> {
        self.call("/fn/reviews/answer", &[("id", id), ("answer_en", answer)])
            .await
    }

    pub async fn decide_review(
        &self,
        id: &str,
        outcome: &str,
        body: &str,
        on: &str,
        reasoning: &str,
    ) -> Answer<()> {
        let form = [
            ("id", id),
            ("outcome", outcome),
            ("body", body),
            ("on", on),
            ("reasoning_en", reasoning),
        ];
        self.call("/fn/reviews/decide", &form).await
    }

    pub async fn hide_review_comment(&self, id: &str, comment: &str, reason: &str) -> Answer<()> {
        self.call(
            "/fn/reviews/hide",
            &[("id", id), ("comment", comment), ("reason", reason)],
        )
        .await
    }

    pub async fn report_problem(&self, system: &str, body: &str) -> Answer<()> {
        self.call("/fn/register/report", &[("system", system), ("body", body)])
            .await
    }

    pub async fn register_reports(&self) -> Answer<app::register::reports::ReportsDesk> {
        self.call("/fn/register/reports", &[("lang", "en")]).await
    }

    /// The page of problem reports after `cursor`.
    pub async fn register_reports_after(&self, cursor: &str) -> Answer<app::register::reports::ReportsDesk> {
        self.call("/fn/register/reports", &[("lang", "en"), ("cursor", cursor)])
            .await
    }

    pub async fn answer_problem_report(&self, id: &str, answer: &str) -> Answer<()> {
        self.call(
            "/fn/register/answer_problem_report",
            &[("id", id), ("answer", answer)],
        )
        .await
    }

    pub async fn clients_desk(&self) -> Answer<app::console::clients::ClientsDesk> {
        self.call("/fn/console/clients", &[("lang", "en")]).await
    }

    /// The page of API clients after `cursor`.
    pub async fn clients_desk_after(&self, cursor: &str) -> Answer<app::console::clients::ClientsDesk> {
        self.call("/fn/console/clients", &[("lang", "en"), ("cursor", cursor)])
            .await
    }

    /// Admins: a client of `agency` with `scopes` ticked.
    pub async fn create_api_client(&self, agency: &str, scopes: &[&str]) -> Answer<()> {
        let names: Vec<String> = scopes.iter().map(|s| format!("scopes[{s}]")).collect();
        let mut form = vec![("agency", agency)];
        form.extend(names.iter().map(|n| (n.as_str(), "on")));
        self.call("/fn/console/create_client", &form).await
    }

    pub async fn revoke_api_client(&self, client_id: &str) -> Answer<()> {
        self.call("/fn/console/revoke_client", &[("client_id", client_id)])
            .await
    }

    /// Staff only: the console's overview of the register.
    pub async fn console_overview(&self) -> Answer<ConsoleSummary> {
        self.call("/fn/admin/overview", &[]).await
    }

    pub async fn profile(&self) -> Answer<Profile> {
        self.call("/fn/profile/get", &[]).await
    }

    pub async fn update_profile(&self, postal_address: &str, phone: &str, date_of_birth: &str) -> Answer<()> {
        let form = [
            ("postal_address", postal_address),
            ("phone", phone),
            ("date_of_birth", date_of_birth),
        ];
        self.call("/fn/profile/update", &form).await
    }

    // --- Consent (server functions and downloads) ---

    /// The systems that hold the resident's data (in English).
    pub async fn my_systems(&self) -> Answer<Vec<MySystem>> {
        self.call("/fn/my/systems", &[("lang", "en")]).await
    }

    /// The resident's summary: each system in one line, what they allow over all.
    pub async fn my_summary(&self) -> Answer<MySummary> {
        self.call("/fn/my/summary", &[("lang", "en")]).await
    }

    /// One system that holds the resident's data, with their choices (in English).
    pub async fn my_system(&self, slug: &str) -> Answer<MySystem> {
        self.call("/fn/my/system", &[("slug", slug), ("lang", "en")])
            .await
    }

    /// The latest few entries of the resident's access log, newest first.
    pub async fn recent_access(&self) -> Answer<Vec<AccessEntry>> {
        self.call("/fn/my/access_log/recent", &[("lang", "en")]).await
    }

    /// A page as a browser without JavaScript GETs it: status, headers and HTML.
    pub async fn page(&self, path: &str) -> Answer<Text> {
        self.get(path).await
    }

    /// Enrols the signed-in resident with an agency's one-time `code`; the history event.
    pub async fn confirm_enrollment(&self, code: &str) -> Answer<EnrollmentEventView> {
        self.call("/fn/my/enrollments/confirm", &[("code", code), ("lang", "en")])
            .await
    }

    /// The proof page's facts for one of the signed-in resident's ledger entries.
    pub async fn entry_proof(&self, index: i64) -> Answer<EntryProof> {
        self.call("/fn/my/ledger/proof", &[("index", &index.to_string())])
            .await
    }

    /// An officer enters an agency's enrollment `code` for the resident with `number`.
    pub async fn confirm_enrollment_for(&self, number: &str, code: &str) -> Answer<EnrollmentEventView> {
        self.call(
            "/fn/console/confirm_enrollment",
            &[("resident_number", number), ("code", code), ("lang", "en")],
        )
        .await
    }

    /// The signed-in resident's enrollment history, newest first.
    pub async fn enrollment_history(&self) -> Answer<Vec<EnrollmentEventView>> {
        self.call("/fn/my/enrollments/history", &[("lang", "en")]).await
    }

    /// Grants or withdraws (`action`) consent for a purpose; the recorded event.
    pub async fn record_consent(
        &self,
        system: &str,
        purpose: &str,
        action: &str,
    ) -> Answer<ConsentEventView> {
        let form = [
            ("system", system),
            ("purpose", purpose),
            ("action", action),
            ("lang", "en"),
        ];
        self.call("/fn/consent/record", &form).await
    }

    /// Grants or withdraws as chosen on a page that showed notice version `notice_version`.
    pub async fn record_consent_seen(
        &self,
        system: &str,
        purpose: &str,
        action: &str,
        notice_version: i64,
    ) -> Answer<ConsentEventView> {
        let version = notice_version.to_string();
        let form = [
            ("system", system),
            ("purpose", purpose),
            ("action", action),
            ("notice_version", version.as_str()),
            ("lang", "en"),
        ];
        self.call("/fn/consent/record", &form).await
    }

    /// The first page of the resident's consent events, newest first.
    pub async fn consent_history(&self) -> Answer<PageView<ConsentEventView>> {
        self.call("/fn/consent/history", &[("lang", "en")]).await
    }

    /// The page of the resident's consent events after `cursor`.
    pub async fn consent_history_after(&self, cursor: &str) -> Answer<PageView<ConsentEventView>> {
        self.call("/fn/consent/history", &[("lang", "en"), ("cursor", cursor)])
            .await
    }

    pub async fn consent_receipt(&self, id: &str) -> Answer<Receipt> {
        self.call("/fn/consent/receipt", &[("id", id), ("lang", "en")])
            .await
    }

    /// The receipt download, `/my/consents/{id}/receipt.json`.
    pub async fn receipt_json(&self, id: &str, lang: Option<&str>) -> Answer<Receipt> {
        let query = lang.map(|l| format!("?lang={l}")).unwrap_or_default();
        self.get(&format!("/my/consents/{id}/receipt.json{query}")).await
    }

    /// One page of the resident's access log (in English).
    pub async fn access_log(&self, query: &AccessLogQuery<'_>) -> Answer<AccessPage> {
        let before = query.before.map(|b| b.to_string());
        let mut form = vec![("lang", "en")];
        form.extend(query.agency.map(|a| ("agency", a)));
        form.extend(query.decision.map(|d| ("decision", d)));
        form.extend(before.as_deref().map(|b| ("before", b)));
        self.call("/fn/my/access_log", &form).await
    }

    // --- Privacy requests (server functions and downloads) ---

    /// Files a request; the new request's id.
    pub async fn file_request(&self, filing: &Filing<'_>) -> Answer<String> {
        self.call("/fn/requests/file", &filing.form()).await
    }

    /// The first page of the resident's requests, newest first.
    pub async fn my_requests(&self) -> Answer<PageView<RequestSummary>> {
        self.call("/fn/requests/mine", &[]).await
    }

    /// The page of the resident's requests after `cursor`.
    pub async fn my_requests_after(&self, cursor: &str) -> Answer<PageView<RequestSummary>> {
        self.call("/fn/requests/mine", &[("cursor", cursor)]).await
    }

    /// One of the resident's requests (in English).
    pub async fn request(&self, id: &str) -> Answer<RequestDetail> {
        self.call("/fn/requests/get", &[("id", id), ("lang", "en")]).await
    }

    pub async fn withdraw_request(&self, id: &str) -> Answer<()> {
        self.call("/fn/requests/withdraw", &[("id", id)]).await
    }

    /// The resident answers the privacy office.
    pub async fn reply(&self, id: &str, body: &str) -> Answer<()> {
        self.call("/fn/requests/reply", &[("id", id), ("body", body)])
            .await
    }

    /// What the readable page of a fulfilled access request's package shows, through the
    /// server function.
    pub async fn package(&self, id: &str) -> Answer<PackageSummary> {
        self.call("/fn/requests/package", &[("id", id), ("lang", "en")])
            .await
    }

    /// The package download, `/my/requests/{id}/package.json`.
    pub async fn package_json(&self, id: &str) -> Answer<AccessPackage> {
        self.get(&format!("/my/requests/{id}/package.json")).await
    }

    /// The first page of the resident's notifications (requests' and the register's,
    /// merged newest first), in English.
    pub async fn notifications(&self) -> Answer<NoticesPage> {
        self.call("/fn/notifications/list", &[("lang", "en")]).await
    }

    /// The page of the resident's notifications after `cursor`.
    pub async fn notifications_after(&self, cursor: &str) -> Answer<NoticesPage> {
        self.call("/fn/notifications/list", &[("lang", "en"), ("cursor", cursor)])
            .await
    }

    /// The request notifications of the first page of notifications.
    pub async fn request_notifications(&self) -> Vec<Notification> {
        let page = self.notifications().await.ok();
        let notices = page.notices.items.into_iter();
        notices
            .filter_map(|n| match n {
                Notice::Request(n) => Some(n),
                Notice::Register(_) => None,
            })
            .collect()
    }

    /// Notices about the account itself (wrong passwords tried, a sign-up with its email).
    pub async fn account_notices(&self) -> Answer<Vec<domain::account::AccountNotice>> {
        self.call("/fn/notifications/account", &[]).await
    }

    /// How many notifications are unread (0 when signed out).
    pub async fn unread_notifications(&self) -> Answer<i64> {
        self.call("/fn/notifications/unread", &[]).await
    }

    /// Marks notification `id` read, or all of them with `None`.
    pub async fn mark_notifications_read(&self, id: Option<&str>) -> Answer<()> {
        self.call("/fn/notifications/read", &[("id", id.unwrap_or_default())])
            .await
    }

    /// Marks notification `id` read from the page of the list at `cursor`, as a form posted
    /// without JavaScript (the answer redirects back to that page).
    pub async fn mark_notification_read_on_page(&self, id: &str, cursor: &str) -> Answer<()> {
        self.clone()
            .with_header("accept", "text/html")
            .call("/fn/notifications/read", &[("id", id), ("cursor", cursor)])
            .await
    }

    /// The notices of changes to systems followed or holding the resident's data, of the
    /// first page of notifications.
    pub async fn register_notices(&self) -> Vec<domain::register::SystemNotice> {
        let page = self.notifications().await.ok();
        let notices = page.notices.items.into_iter();
        notices
            .filter_map(|n| match n {
                Notice::Register(n) => Some(n),
                Notice::Request(_) => None,
            })
            .collect()
    }

    /// Follows (or stops following) system `slug`.
    pub async fn follow_system(&self, slug: &str, follow: bool) -> Answer<()> {
        let follow = if follow { "yes" } else { "no" };
        self.call("/fn/register/follow", &[("slug", slug), ("follow", follow)])
            .await
    }

    /// Whether the resident follows system `slug` (`None` signed out).
    pub async fn following(&self, slug: &str) -> Answer<Option<bool>> {
        self.call("/fn/register/following", &[("slug", slug)]).await
    }

    // --- The officer console (server functions and downloads) ---

    pub async fn queue(&self, query: &QueueQuery<'_>) -> Answer<QueuePage> {
        let mut form = Vec::new();
        form.extend(query.status.map(|v| ("status", v)));
        form.extend(query.kind.map(|v| ("kind", v)));
        form.extend(query.agency.map(|v| ("agency", v)));
        if query.overdue {
            form.push(("overdue", "1"));
        }
        if query.mine {
            form.push(("mine", "1"));
        }
        form.extend(query.q.map(|v| ("q", v)));
        form.extend(query.cursor.map(|v| ("cursor", v)));
        self.call("/fn/console/queue", &form).await
    }

    /// The case file of a request (in English).
    pub async fn case(&self, id: &str) -> Answer<CaseFile> {
        self.call("/fn/console/case", &[("id", id), ("lang", "en")]).await
    }

    /// Assigns the request to officer `to` ("" for nobody).
    pub async fn assign(&self, id: &str, to: &str) -> Answer<()> {
        self.call("/fn/console/assign", &[("id", id), ("to", to)]).await
    }

    pub async fn verify(&self, id: &str) -> Answer<()> {
        self.call("/fn/console/verify", &[("id", id)]).await
    }

    pub async fn extend(&self, id: &str, reason: &str) -> Answer<()> {
        self.call("/fn/console/extend", &[("id", id), ("reason", reason)])
            .await
    }

    pub async fn reject(&self, id: &str, reason: &str) -> Answer<()> {
        self.call("/fn/console/reject", &[("id", id), ("reason", reason)])
            .await
    }

    /// Completes an agency's task on its behalf.
    pub async fn complete_task_for_agency(
        &self,
        id: &str,
        task: &str,
        outcome: &str,
        note: Option<&str>,
    ) -> Answer<()> {
        let mut form = vec![("id", id), ("task", task), ("outcome", outcome)];
        form.extend(note.map(|n| ("note", n)));
        self.call("/fn/console/complete_task", &form).await
    }

    pub async fn fulfil(&self, id: &str) -> Answer<()> {
        self.call("/fn/console/fulfil", &[("id", id)]).await
    }

    /// Writes to the resident, pausing the clock.
    pub async fn ask(&self, id: &str, question: &str) -> Answer<()> {
        self.call("/fn/console/ask", &[("id", id), ("question", question)])
            .await
    }

    pub async fn stats(&self) -> Answer<RequestStats> {
        self.call("/fn/console/stats", &[]).await
    }

    /// Admins only: the newest page of the audit log.
    pub async fn audit(&self) -> Answer<AuditPage> {
        self.call("/fn/console/audit", &[]).await
    }

    /// Files a request for a resident at the counter; the new request's id.
    pub async fn file_assisted(&self, assisted: &Assisted<'_>) -> Answer<String> {
        self.call("/fn/console/file_assisted", &assisted.form()).await
    }

    /// The record of processing activities, `/admin/requests.csv{query}`.
    pub async fn requests_csv(&self, query: &str) -> Answer<Text> {
        self.get(&format!("/admin/requests.csv{query}")).await
    }

    // --- The agency API ---

    /// A token for the client credentials, sent in the form.
    pub async fn token(&self, client_id: &str, client_secret: &str) -> ApiAnswer<TokenResponse> {
        self.token_form(&[
            ("grant_type", "client_credentials"),
            ("client_id", client_id),
            ("client_secret", client_secret),
        ])
        .await
    }

    /// A token for the client credentials, sent with HTTP Basic.
    pub async fn token_basic(&self, client_id: &str, client_secret: &str) -> ApiAnswer<TokenResponse> {
        use base64::Engine;
        let basic = base64::engine::general_purpose::STANDARD.encode(format!("{client_id}:{client_secret}"));
        let request = self
            .http
            .post(self.url("/api/v1/oauth/token"))
            .header("authorization", format!("Basic {basic}"))
            .form(&[("grant_type", "client_credentials")]);
        self.send(request).await
    }

    /// The token endpoint with exactly `form` (to test refusals).
    pub async fn token_form(&self, form: &[(&str, &str)]) -> ApiAnswer<TokenResponse> {
        self.send(self.http.post(self.url("/api/v1/oauth/token")).form(form))
            .await
    }

    /// The token endpoint with exactly `body`, sent as `content_type` (none when `None`).
    pub async fn token_raw(&self, body: &str, content_type: Option<&str>) -> ApiAnswer<TokenResponse> {
        let mut request = self
            .http
            .post(self.url("/api/v1/oauth/token"))
            .body(body.to_owned());
        if let Some(content_type) = content_type {
            request = request.header("content-type", content_type);
        }
        self.send(request).await
    }

    pub async fn whoami(&self) -> ApiAnswer<WhoAmI> {
        self.get("/api/v1/whoami").await
    }

    /// Asks whether the agency may process `subject`'s data for `system`/`purpose`.
    pub async fn check(&self, subject: &str, system: &str, purpose: &str) -> ApiAnswer<CheckResponse> {
        let question = serde_json::json!({"subject": subject, "system": system, "purpose": purpose});
        self.post_json("/api/v1/consent/check", &question).await
    }

    /// Asks `questions` (subject, system, purpose) at once, numbered `q0`, `q1`, ...
    pub async fn check_batch(&self, questions: &[(&str, &str, &str)]) -> ApiAnswer<serde_json::Value> {
        let checks: Vec<serde_json::Value> = questions
            .iter()
            .enumerate()
            .map(|(i, (subject, system, purpose))| {
                serde_json::json!({"correlation_id": format!("q{i}"), "subject": subject, "system": system, "purpose": purpose})
            })
            .collect();
        self.post_json(
            "/api/v1/consent/check-batch",
            &serde_json::json!({ "checks": checks }),
        )
        .await
    }

    /// Sends `body` as a batch of checks.
    pub async fn check_batch_raw(&self, body: &serde_json::Value) -> ApiAnswer<serde_json::Value> {
        self.post_json("/api/v1/consent/check-batch", body).await
    }

    /// A check whose answer must be 200: its decision and reason.
    pub async fn decide(&self, subject: &str, system: &str, purpose: &str) -> (String, String) {
        let answer = self.check(subject, system, purpose).await.ok();
        (answer.decision, answer.reason)
    }

    /// The consent check with exactly `body` as `content_type` (to test refusals).
    pub async fn check_raw(&self, body: &str, content_type: &str) -> ApiAnswer<CheckResponse> {
        let request = self
            .http
            .post(self.url("/api/v1/consent/check"))
            .header("content-type", content_type)
            .body(body.to_owned());
        self.send(request).await
    }

    /// Reads `subject`'s data for `system`/`purpose`.
    pub async fn query(&self, subject: &str, system: &str, purpose: &str) -> ApiAnswer<QueryResponse> {
        let question = serde_json::json!({"subject": subject, "system": system, "purpose": purpose});
        self.post_json("/api/v1/subjects/query", &question).await
    }

    /// The ledger's latest signed checkpoint (public).
    pub async fn ledger_checkpoint(&self) -> ApiAnswer<CheckpointResponse> {
        self.get("/api/v1/ledger/checkpoint").await
    }

    /// The first page of the checkpoints, oldest first (public).
    pub async fn ledger_checkpoints(&self) -> ApiAnswer<CheckpointList> {
        self.get("/api/v1/ledger/checkpoints").await
    }

    /// Any API path read as `T` (a page of a list, with its query string).
    pub async fn api_get<T>(&self, path: &str) -> ApiAnswer<T> {
        self.get(path).await
    }

    /// The inclusion proof of entry `index` in the tree of `tree_size` entries (public).
    pub async fn inclusion_proof(&self, index: u64, tree_size: u64) -> ApiAnswer<InclusionResponse> {
        self.get(&format!(
            "/api/v1/ledger/proof/inclusion?index={index}&tree_size={tree_size}"
        ))
        .await
    }

    /// The consistency proof from the tree of `first` entries to that of `second` (public).
    pub async fn consistency_proof(&self, first: u64, second: u64) -> ApiAnswer<ConsistencyResponse> {
        self.get(&format!(
            "/api/v1/ledger/proof/consistency?first={first}&second={second}"
        ))
        .await
    }

    /// Issues a one-time enrollment code for one of the agency's systems (201).
    pub async fn enrollment_code(&self, system: &str) -> ApiAnswer<CodeResponse> {
        self.post_json(
            "/api/v1/enrollments/codes",
            &serde_json::json!({ "system": system }),
        )
        .await
    }

    /// Where one of the agency's codes stands.
    pub async fn enrollment_code_status(&self, code: &str) -> ApiAnswer<CodeResponse> {
        self.get(&format!("/api/v1/enrollments/codes/{code}")).await
    }

    /// One read of the agency's consent change feed, with exactly `query` (`after=...&limit=...`).
    pub async fn consent_changes(&self, query: &str) -> ApiAnswer<ConsentChangesDocument> {
        self.get(&format!("/api/v1/consent/changes?{query}")).await
    }

    /// Opens the consent change stream with exactly `query`, and `Last-Event-ID` if given:
    /// the response as it starts, its body still arriving.
    pub async fn consent_change_stream(&self, query: &str, last_event_id: Option<&str>) -> reqwest::Response {
        let mut request = self
            .http
            .get(self.url(&format!("/api/v1/consent/changes/stream?{query}")));
        if let Some(token) = &self.token {
            request = request.bearer_auth(token);
        }
        if let Some(id) = last_event_id {
            request = request.header("last-event-id", id);
        }
        request.send().await.unwrap()
    }

    /// Ends an enrollment (204).
    pub async fn unenrol(&self, subject: &str, system: &str) -> ApiAnswer<()> {
        let path = format!("/api/v1/subjects/{subject}/enrollments/{system}");
        self.send(self.http.delete(self.url(&path))).await
    }

    /// The agency's privacy-request tasks (`status`: open, completed, all).
    pub async fn tasks(&self, status: Option<&str>) -> ApiAnswer<TaskList> {
        let query = status.map(|s| format!("?status={s}")).unwrap_or_default();
        self.get(&format!("/api/v1/privacy-requests/tasks{query}")).await
    }

    /// Completes one of the agency's tasks.
    pub async fn complete_task(&self, task: &str, completion: &CompleteTask) -> ApiAnswer<CompletedTask> {
        self.complete_task_raw(task, &serde_json::to_value(completion).unwrap())
            .await
    }

    /// Completes a task with exactly `body` (to test refusals).
    pub async fn complete_task_raw(&self, task: &str, body: &serde_json::Value) -> ApiAnswer<CompletedTask> {
        self.post_json(&format!("/api/v1/privacy-requests/tasks/{task}/complete"), body)
            .await
    }

    /// The open-data register as JSON, in `lang` when given.
    pub async fn register_json(&self, lang: Option<&str>) -> ApiAnswer<RegisterDocument> {
        let query = lang.map(|l| format!("?lang={l}")).unwrap_or_default();
        self.get(&format!("/api/v1/register/systems{query}")).await
    }

    /// The open-data register as CSV.
    pub async fn register_csv(&self) -> ApiAnswer<Text> {
        self.get("/api/v1/register/systems.csv").await
    }

    /// The API's OpenAPI document.
    pub async fn openapi(&self) -> ApiAnswer<OpenApiDoc> {
        self.get("/api/v1/openapi.json").await
    }

    /// Any route of the API, without a body (to check that it is routed).
    pub async fn api_route(&self, method: reqwest::Method, path: &str) -> ApiAnswer<IgnoredAny> {
        self.send(self.http.request(method, self.url(path))).await
    }
}

// --- Street: device reports and the officers' device desk (server functions) ---

impl ApiClient {
    /// Reports a problem with device `code` (signed in or not).
    pub async fn report_device(&self, code: &str, body: &str) -> Answer<()> {
        self.call("/fn/street/report", &[("code", code), ("body", body)])
            .await
    }

    /// Register staff: saves a device from the desk's form fields.
    pub async fn save_device(&self, fields: &[(&str, &str)]) -> Answer<()> {
        self.call("/fn/console/save_device", fields).await
    }

    /// Register staff: removes device `code`.
    pub async fn remove_device(&self, code: &str) -> Answer<()> {
        self.call("/fn/console/remove_device", &[("code", code)]).await
    }
}

// --- The breach register (server functions) ---

impl ApiClient {
    /// Staff: opens an incident from the form's fields (`fields[...]`).
    pub async fn open_breach(&self, fields: &[(&str, &str)]) -> Answer<()> {
        let named: Vec<(String, &str)> = fields.iter().map(|(k, v)| (format!("fields[{k}]"), *v)).collect();
        let form: Vec<(&str, &str)> = named.iter().map(|(k, v)| (k.as_str(), *v)).collect();
        self.call("/fn/breaches/open", &form).await
    }

    /// Staff: records the regulator decision.
    pub async fn decide_breach(&self, id: &str, decision: &str, reasons: &str) -> Answer<()> {
        let form = [
            ("id", id),
            ("decision", decision),
            ("reasons", reasons),
            ("consequences", "Residents may receive unwanted mail."),
            ("measures", "The export was deleted and access rights reviewed."),
            ("records", ""),
        ];
        self.call("/fn/breaches/decide", &form).await
    }

    /// Staff: notifies the affected residents, confirming `count`.
    pub async fn notify_breach(&self, id: &str, count: &str) -> Answer<()> {
        self.call("/fn/breaches/notify", &[("id", id), ("confirmed", count)])
            .await
    }

    /// Staff: closes the incident with a public summary.
    pub async fn close_breach(&self, id: &str, summary: &str) -> Answer<()> {
        self.call("/fn/breaches/close", &[("id", id), ("summary", summary)])
            .await
    }

    /// An agency reports an incident.
    pub async fn report_incident(&self, body: &serde_json::Value) -> ApiAnswer<serde_json::Value> {
        self.post_json("/api/v1/incidents", body).await
    }
}

impl ApiClient {
    /// Register staff: writes a section of a system's yearly report.
    pub async fn write_report_section(
        &self,
        year: &str,
        system: &str,
        section: &str,
        body: &str,
    ) -> Answer<()> {
        let form = [
            ("year", year),
            ("system", system),
            ("section", section),
            ("body", body),
        ];
        self.call("/fn/reports/write", &form).await
    }
}
