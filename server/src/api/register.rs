//! Open data: the register as JSON and CSV, public and unauthenticated.

use super::codes::{
    DataCategoryCode, LangCode, LegalBasisCode, SystemScopeCode, SystemStatusCode, TechnologyCode,
};
use super::error::ApiError;
use super::extract::ApiQuery;
use super::paging::{ChangeCursor, PageLimit, SystemCursor, page};
use crate::http::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use domain::lang::Lang;
use domain::register::{CHANGE_CURSOR, DataCategory, LegalBasis, SYSTEM_CURSOR, System};
use serde::{Deserialize, Serialize};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// The register's open-data routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(systems_json))
        .routes(routes!(systems_csv))
        .routes(routes!(register_file))
        .routes(routes!(register_changes))
}

/// `?lang=es` picks the language of the texts; English by default.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct LangQuery {
    /// The language of the texts (English when absent).
    #[param(value_type = Option<super::codes::LangCode>, example = "es")]
    lang: Option<String>,
}

/// `?lang=` with a page: `limit` and `cursor`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct SystemsQuery {
    /// The language of the texts (English when absent).
    #[param(value_type = Option<super::codes::LangCode>, example = "es")]
    lang: Option<String>,
    /// The most systems the page holds (1 to 200; 50 when absent).
    #[param(value_type = Option<PageLimit>)]
    limit: Option<u32>,
    /// Where the page starts: the `next_cursor` of the page before.
    #[param(value_type = Option<SystemCursor>)]
    cursor: Option<String>,
}

/// `?lang=` with a page of the change feed: `limit` and `cursor`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ChangesQuery {
    /// The language of the texts (English when absent).
    #[param(value_type = Option<super::codes::LangCode>, example = "es")]
    lang: Option<String>,
    /// The most changes the page holds (1 to 200; 50 when absent).
    #[param(value_type = Option<PageLimit>)]
    limit: Option<u32>,
    /// Where the page starts: the `next_cursor` of the page before.
    #[param(value_type = Option<ChangeCursor>)]
    cursor: Option<String>,
}

/// The language a query asks for: English when absent; 400 `unsupported_language` for
/// anything but one of the document's codes exactly (`es`, not `es-MX` or `ES`: what the
/// document declares is what the API takes, no looser).
fn lang_of(code: Option<&str>) -> Result<Lang, ApiError> {
    match code {
        None => Ok(Lang::default()),
        Some(code) => Lang::ALL
            .into_iter()
            .find(|l| l.code() == code)
            .ok_or_else(|| ApiError::BadRequest {
                code: "unsupported_language",
                message: domain::lang::UnsupportedLang(code.to_owned()).to_string(),
            }),
    }
}

impl LangQuery {
    fn lang(&self) -> Result<Lang, ApiError> {
        lang_of(self.lang.as_deref())
    }
}

/// One page of the register document.
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct RegisterDocument {
    /// The language of the texts.
    #[schema(value_type = LangCode)]
    pub lang: Lang,
    pub systems: Vec<SystemRecord>,
    /// Where the next page starts (pass it as `cursor`); `null` on the last page.
    #[schema(value_type = Option<SystemCursor>)]
    pub next_cursor: Option<String>,
}

/// One system in the open-data document.
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SystemRecord {
    pub slug: String,
    pub name: String,
    pub description: String,
    pub agency: AgencyRecord,
    #[schema(value_type = TechnologyCode)]
    pub technology: String,
    #[schema(value_type = SystemStatusCode)]
    pub status: String,
    #[schema(value_type = SystemScopeCode)]
    pub scope: String,
    pub identifies_people: bool,
    pub algorithmic_decisions: bool,
    pub algorithm: Option<String>,
    pub location: String,
    pub data_subjects: String,
    pub retention_days: Option<i64>,
    pub retention: String,
    pub access: String,
    pub recipients: String,
    pub transfers: String,
    pub security: String,
    pub reviewed_on: String,
    pub purposes: Vec<PurposeRecord>,
}

/// The agency that runs a system.
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct AgencyRecord {
    pub slug: String,
    pub name: String,
    pub public_authority: bool,
    pub dpo_email: String,
    pub website: String,
}

/// One purpose of a system.
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PurposeRecord {
    pub key: String,
    pub name: String,
    pub description: String,
    #[schema(value_type = LegalBasisCode)]
    pub legal_basis: LegalBasis,
    #[schema(value_type = Vec<DataCategoryCode>)]
    pub data_categories: Vec<DataCategory>,
    pub special_categories: bool,
}

impl SystemRecord {
    fn new(s: &System, lang: Lang) -> Self {
        SystemRecord {
            slug: s.slug.to_string(),
            name: s.name.get(lang).to_owned(),
            description: s.description.get(lang).to_owned(),
            agency: AgencyRecord {
                slug: s.agency.slug.to_string(),
                name: s.agency.name.get(lang).to_owned(),
                public_authority: s.agency.public_authority,
                dpo_email: s.agency.dpo_email.clone(),
                website: s.agency.website.clone(),
            },
            technology: s.technology.code().to_owned(),
            status: s.status.code().to_owned(),
            scope: s.scope.code().to_owned(),
            identifies_people: s.identifies_people,
            algorithmic_decisions: s.algorithmic_decisions,
            algorithm: s.algorithm.as_ref().map(|a| a.get(lang).to_owned()),
            location: s.location.get(lang).to_owned(),
            data_subjects: s.data_subjects.get(lang).to_owned(),
            retention_days: s.retention_days,
            retention: s.retention.get(lang).to_owned(),
            access: s.access.get(lang).to_owned(),
            recipients: s.recipients.get(lang).to_owned(),
            transfers: s.transfers.get(lang).to_owned(),
            security: s.security.get(lang).to_owned(),
            reviewed_on: s.reviewed_on.clone(),
            purposes: s
                .purposes
                .iter()
                .map(|p| PurposeRecord {
                    key: p.key.to_string(),
                    name: p.name.get(lang).to_owned(),
                    description: p.description.get(lang).to_owned(),
                    legal_basis: p.legal_basis,
                    data_categories: p.categories.clone(),
                    special_categories: p.categories.iter().any(|c| c.is_special()),
                })
                .collect(),
        }
    }
}

async fn load(state: &AppState, query: &LangQuery) -> Result<(Lang, Vec<System>), ApiError> {
    let lang = query.lang()?;
    let systems = store::register::systems(&state.pool)
        .await
        .map_err(ApiError::internal)?;
    Ok((lang, systems))
}

/// The register: every system with its agency, purposes, legal bases and data categories,
/// by slug, one page at a time: follow `next_cursor` until it is `null`. (The CSV and the
/// register file are whole documents, for downloading.)
#[utoipa::path(get, path = "/api/v1/register/systems", tag = "register", params(SystemsQuery),
    responses(
        (status = 200, description = "A page of the register as JSON", body = RegisterDocument),
        (status = 400, description = "Unsupported language, or a query parameter other than lang, limit and cursor", body = super::error::ErrorBody),
        (status = 422, description = "A limit out of range or a cursor of another shape", body = super::error::ErrorBody),
    ))]
pub async fn systems_json(
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<SystemsQuery>,
) -> Result<Json<RegisterDocument>, ApiError> {
    let lang = lang_of(query.lang.as_deref())?;
    let (limit, cursor) = page(SYSTEM_CURSOR, query.limit, query.cursor.as_deref())?;
    let systems = store::register::systems_page(&state.pool, limit, cursor.as_ref())
        .await
        .map_err(ApiError::internal)?;
    Ok(Json(RegisterDocument {
        lang,
        next_cursor: systems.next_cursor(),
        systems: systems.items.iter().map(|s| SystemRecord::new(s, lang)).collect(),
    }))
}

/// The CSV columns, one row per purpose (the shape `glasshouse register import` reads back).
pub use domain::register::CSV_COLUMNS as CSV_HEADER;

/// The same register as CSV, one row per purpose.
#[utoipa::path(get, path = "/api/v1/register/systems.csv", tag = "register", params(LangQuery),
    responses(
        (status = 200, description = "The register as CSV", content_type = "text/csv"),
        (status = 400, description = "Unsupported language, or a query parameter other than lang", body = super::error::ErrorBody),
    ))]
pub async fn systems_csv(
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<LangQuery>,
) -> Result<Response, ApiError> {
    let (lang, systems) = load(&state, &query).await?;
    let mut out = csv::Writer::from_writer(Vec::new());
    out.write_record(CSV_HEADER).map_err(ApiError::internal)?;
    for s in &systems {
        for p in &s.purposes {
            let categories: Vec<&str> = p.categories.iter().map(|c| c.code()).collect();
            out.write_record([
                s.slug.as_str(),
                s.name.get(lang),
                s.agency.slug.as_str(),
                s.agency.name.get(lang),
                s.technology.code(),
                s.status.code(),
                s.scope.code(),
                bool_str(s.identifies_people),
                bool_str(s.algorithmic_decisions),
                &s.retention_days.map(|d| d.to_string()).unwrap_or_default(),
                &s.reviewed_on,
                p.key.as_str(),
                p.name.get(lang),
                p.legal_basis.code(),
                &categories.join(";"),
                bool_str(p.categories.iter().any(|c| c.is_special())),
            ])
            .map_err(ApiError::internal)?;
        }
    }
    let body = out.into_inner().map_err(|e| ApiError::internal(e.into_error()))?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"glasshouse-register.csv\"",
            ),
        ],
        body,
    )
        .into_response())
}

/// The whole register as a file, every language and the agencies included: what
/// `glasshouse register export` writes and `glasshouse register import` reads, so another
/// deployment (or the city itself) can take its register out and bring it in.
#[utoipa::path(get, path = "/api/v1/register/export", tag = "register",
    responses(
        (status = 200, description = "The register file (format glasshouse-register/1)", content_type = "application/json"),
    ))]
pub async fn register_file(State(state): State<AppState>) -> Result<Response, ApiError> {
    let file = store::register::export(&state.pool)
        .await
        .map_err(ApiError::internal)?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/json"),
            (
                header::CONTENT_DISPOSITION,
                "inline; filename=\"glasshouse-register.json\"",
            ),
        ],
        file.to_json(),
    )
        .into_response())
}

/// One page of the register's change feed as JSON.
#[derive(Debug, Serialize, Deserialize)]
pub struct ChangesDocument {
    pub lang: Lang,
    /// Newest first: each system added, changed or retired, with what changed.
    pub changes: Vec<domain::register::VersionView>,
    /// Newest first: public reviews' milestones (a comment period opened, a decision taken)
    /// in the stretch of time this page's changes cover (from its last change's time, or
    /// the beginning on the last page, up to where the page before ended), so following
    /// `next_cursor` meets each milestone once.
    #[serde(default)]
    pub reviews: Vec<domain::register::ReviewEvent>,
    /// Where the next page starts (pass it as `cursor`); `null` on the last page.
    #[serde(default)]
    pub next_cursor: Option<String>,
}

/// The register's changes, newest first, one page at a time (follow `next_cursor` until it
/// is `null`): systems added, changed and retired, each with what changed field by field,
/// and the public reviews' milestones of the same stretch of time, texts in `lang`.
#[utoipa::path(get, path = "/api/v1/register/changes", tag = "register", params(ChangesQuery),
    responses(
        (status = 200, description = "A page of the change feed as JSON", content_type = "application/json"),
        (status = 400, description = "Unsupported language, or a query parameter other than lang, limit and cursor", body = super::error::ErrorBody),
        (status = 422, description = "A limit out of range or a cursor of another shape", body = super::error::ErrorBody),
    ))]
pub async fn register_changes(
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<ChangesQuery>,
) -> Result<Json<ChangesDocument>, ApiError> {
    let lang = lang_of(query.lang.as_deref())?;
    let (limit, cursor) = page(CHANGE_CURSOR, query.limit, query.cursor.as_deref())?;
    let versions = store::register::changes_page(&state.pool, limit, cursor.as_ref())
        .await
        .map_err(ApiError::internal)?;
    // This page's stretch of time: from its last change (the next page's cursor) up to
    // where the page before ended (this page's cursor); open at either end when there is
    // no such page.
    let from = versions.next.as_ref().map(|c| c.number(0));
    let before = cursor.as_ref().map(|c| c.number(0));
    let reviews = store::register::review_events_between(&state.pool, from, before, lang)
        .await
        .map_err(ApiError::internal)?;
    Ok(Json(ChangesDocument {
        lang,
        next_cursor: versions.next_cursor(),
        changes: versions.items.iter().map(|v| v.view(lang)).collect(),
        reviews,
    }))
}

fn bool_str(b: bool) -> &'static str {
    if b { "true" } else { "false" }
}
