//! The register aggregate: agencies, systems, purposes and their data categories.

use super::{code, decode_err, new_id, now, text, to_json};
use crate::StoreError;
use domain::paging::{Cursor, Page, fetch_limit};
use domain::register::{Agency, DataCategory, Purpose, Slug, System};
use domain::text::LocalizedText;
use sqlx::{Any, AnyConnection, AnyPool, FromRow, Transaction};
use std::collections::HashMap;

#[derive(FromRow)]
struct AgencyRow {
    id: String,
    slug: String,
    public_authority: i64,
    name: String,
    description: String,
    dpo_email: String,
    website: String,
}

#[derive(FromRow)]
struct SystemRow {
    id: String,
    slug: String,
    agency_id: String,
    technology: String,
    status: String,
    scope: String,
    identifies_people: i64,
    algorithmic_decisions: i64,
    reviewed_on: String,
    retention_days: Option<i64>,
    name: String,
    description: String,
    location: String,
    data_subjects: String,
    retention: String,
    access: String,
    recipients: String,
    transfers: String,
    security: String,
    algorithm: Option<String>,
}

#[derive(FromRow)]
struct PurposeRow {
    id: String,
    system_id: String,
    key: String,
    legal_basis: String,
    name: String,
    description: String,
}

/// The columns of `systems` that [`SystemRow`] reads, as a literal so every statement stays
/// a static string.
macro_rules! system_columns {
    () => {
        "id, slug, agency_id, technology, status, scope, identifies_people, algorithmic_decisions, \
         reviewed_on, retention_days, name, description, location, data_subjects, retention, access, \
         recipients, transfers, security, algorithm"
    };
}
mod following;
mod import;
mod notices;
mod problem_reports;
mod reviews;
mod terms;
mod versions;
mod writing;

pub(crate) use following::notices_after;
pub use following::{follow, is_following, mark_notices_read, unread_notices};
pub use import::{apply, apply_system, export, import};
pub use notices::revise_purpose_text;
pub use problem_reports::{answer_problem_report, file_problem_report, problem_reports};
pub use reviews::{
    Saved, activate_review, answer_review, close_comments, comment, decide_review, edit_draft,
    grant_register, hide_comment, may_edit_register, pending_proposal, publish_review, register_staff,
    review, review_comments, review_events, review_events_between, reviews, save_agency, save_system,
    system_review,
};
pub use terms::{SystemTerms, revise_purpose_categories, revise_system_terms};
pub use versions::{StoredVersion, adopt_unversioned, changes, changes_page, history, record_version};
pub use writing::{insert_agency, insert_system, set_city_name};

fn slug(column: &str, s: &str) -> Result<Slug, sqlx::Error> {
    Slug::parse(s).map_err(|e| decode_err(column, e))
}

impl AgencyRow {
    fn into_agency(self) -> Result<Agency, sqlx::Error> {
        Ok(Agency {
            slug: slug("agencies.slug", &self.slug)?,
            public_authority: self.public_authority != 0,
            name: text("agencies.name", &self.name)?,
            description: text("agencies.description", &self.description)?,
            dpo_email: self.dpo_email,
            website: self.website,
        })
    }
}

impl SystemRow {
    fn into_system(self, agency: Agency, purposes: Vec<Purpose>) -> Result<System, sqlx::Error> {
        Ok(System {
            slug: slug("systems.slug", &self.slug)?,
            agency,
            technology: code("systems.technology", &self.technology)?,
            status: code("systems.status", &self.status)?,
            scope: code("systems.scope", &self.scope)?,
            identifies_people: self.identifies_people != 0,
            algorithmic_decisions: self.algorithmic_decisions != 0,
            reviewed_on: self.reviewed_on,
            retention_days: self.retention_days,
            name: text("systems.name", &self.name)?,
            description: text("systems.description", &self.description)?,
            location: text("systems.location", &self.location)?,
            data_subjects: text("systems.data_subjects", &self.data_subjects)?,
            retention: text("systems.retention", &self.retention)?,
            access: text("systems.access", &self.access)?,
            recipients: text("systems.recipients", &self.recipients)?,
            transfers: text("systems.transfers", &self.transfers)?,
            security: text("systems.security", &self.security)?,
            algorithm: self
                .algorithm
                .as_deref()
                .map(|a| text("systems.algorithm", a))
                .transpose()?,
            purposes,
        })
    }
}

async fn agency_rows(conn: &mut AnyConnection) -> Result<Vec<AgencyRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, slug, public_authority, name, description, dpo_email, website \
         FROM agencies ORDER BY slug",
    )
    .fetch_all(&mut *conn)
    .await
}

/// Every purpose of the systems `which` names, grouped by system: two queries, however
/// many systems.
async fn purposes_by_system(
    conn: &mut AnyConnection,
    which: &Which<'_>,
) -> Result<HashMap<String, Vec<Purpose>>, sqlx::Error> {
    // The systems whose purposes are read: a condition on the column `col` holding a
    // purpose's system, and its binds ($1 always; $2 and $3 for a page).
    let (one, after, limit) = match which {
        Which::One(slug) => (Some(slug.as_str()), None, None),
        Which::All => (None, None, None),
        Which::After { after, limit } => (None, Some(after.unwrap_or("")), Some(*limit)),
    };
    let systems = |col: &str| match which {
        Which::One(_) => format!("{col} IN (SELECT id FROM systems WHERE slug = $1)"),
        Which::All => "$1 IS NULL".to_owned(),
        Which::After { .. } => {
            format!("$1 IS NULL AND {col} IN (SELECT id FROM systems WHERE slug > $2 ORDER BY slug LIMIT $3)")
        }
    };
    let purposes = format!(
        "SELECT id, system_id, key, legal_basis, name, description FROM purposes \
         WHERE {} ORDER BY system_id, position",
        systems("system_id")
    );
    let categories = format!(
        "SELECT pc.purpose_id, pc.category FROM purpose_categories pc \
         JOIN purposes p ON p.id = pc.purpose_id WHERE {}",
        systems("p.system_id")
    );
    let mut rows = sqlx::query_as::<_, PurposeRow>(sqlx::AssertSqlSafe(purposes)).bind(one);
    let mut category_rows = sqlx::query_as::<_, (String, String)>(sqlx::AssertSqlSafe(categories)).bind(one);
    if let (Some(after), Some(limit)) = (after, limit) {
        rows = rows.bind(after).bind(limit);
        category_rows = category_rows.bind(after).bind(limit);
    }
    let rows: Vec<PurposeRow> = rows.fetch_all(&mut *conn).await?;
    let categories: Vec<(String, String)> = category_rows.fetch_all(&mut *conn).await?;
    let mut by_purpose: HashMap<String, Vec<DataCategory>> = HashMap::new();
    for (purpose_id, category) in categories {
        by_purpose
            .entry(purpose_id)
            .or_default()
            .push(code("purpose_categories.category", &category)?);
    }
    let mut grouped: HashMap<String, Vec<Purpose>> = HashMap::new();
    for row in rows {
        let mut categories = by_purpose.remove(&row.id).unwrap_or_default();
        categories.sort();
        grouped.entry(row.system_id).or_default().push(Purpose {
            key: slug("purposes.key", &row.key)?,
            legal_basis: code("purposes.legal_basis", &row.legal_basis)?,
            categories,
            name: text("purposes.name", &row.name)?,
            description: text("purposes.description", &row.description)?,
        });
    }
    Ok(grouped)
}

pub(super) async fn load_systems(
    conn: &mut AnyConnection,
    slug: Option<&Slug>,
) -> Result<Vec<System>, sqlx::Error> {
    match slug {
        Some(slug) => load(conn, Which::One(slug)).await,
        None => load(conn, Which::All).await,
    }
}

/// Which systems `load` reads.
enum Which<'a> {
    One(&'a Slug),
    All,
    /// At most `limit` by slug, after `after` (exclusive) if given.
    After {
        after: Option<&'a str>,
        limit: i64,
    },
}

async fn load(conn: &mut AnyConnection, which: Which<'_>) -> Result<Vec<System>, sqlx::Error> {
    let rows: Vec<SystemRow> = match &which {
        Which::One(slug) => {
            sqlx::query_as(concat!(
                "SELECT ",
                system_columns!(),
                " FROM systems WHERE slug = $1"
            ))
            .bind(slug.as_str())
            .fetch_all(&mut *conn)
            .await?
        }
        Which::All => {
            sqlx::query_as(concat!(
                "SELECT ",
                system_columns!(),
                " FROM systems ORDER BY slug"
            ))
            .fetch_all(&mut *conn)
            .await?
        }
        Which::After { after, limit } => {
            sqlx::query_as(concat!(
                "SELECT ",
                system_columns!(),
                " FROM systems WHERE slug > $1 ORDER BY slug LIMIT $2"
            ))
            .bind(after.unwrap_or(""))
            .bind(*limit)
            .fetch_all(&mut *conn)
            .await?
        }
    };
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let mut purposes = purposes_by_system(conn, &which).await?;
    let mut agencies: HashMap<String, Agency> = HashMap::new();
    for row in agency_rows(conn).await? {
        agencies.insert(row.id.clone(), row.into_agency()?);
    }
    rows.into_iter()
        .map(|row| {
            let agency = agencies
                .get(&row.agency_id)
                .cloned()
                .ok_or_else(|| decode_err("systems.agency_id", "no such agency"))?;
            let purposes = purposes.remove(&row.id).unwrap_or_default();
            row.into_system(agency, purposes)
        })
        .collect()
}

/// A system as the register desk lists it.
#[derive(Debug, Clone, PartialEq)]
pub struct SystemLine {
    pub slug: String,
    pub name: LocalizedText,
    pub status: domain::register::SystemStatus,
}

/// One page of the register's systems as lines (slug, name, status), by slug: at most
/// `limit`, after `after` (a `SYSTEM_CURSOR`) if given; one query, no purposes.
pub async fn system_lines(
    pool: &AnyPool,
    limit: u32,
    after: Option<&Cursor>,
) -> Result<Page<SystemLine>, StoreError> {
    let rows: Vec<(String, String, String)> =
        sqlx::query_as("SELECT slug, name, status FROM systems WHERE slug > $1 ORDER BY slug LIMIT $2")
            .bind(after.map_or("", |c| c.part(0)))
            .bind(fetch_limit(limit))
            .fetch_all(pool)
            .await?;
    let lines = rows
        .into_iter()
        .map(|(slug, name, status)| {
            Ok(SystemLine {
                slug,
                name: text("systems.name", &name)?,
                status: code("systems.status", &status)?,
            })
        })
        .collect::<Result<Vec<_>, sqlx::Error>>()?;
    Ok(Page::from_rows(lines, limit, |l| Cursor::after(&[&l.slug])))
}

/// One page of the register's systems, by slug: at most `limit`, after `after` (a
/// `SYSTEM_CURSOR`) if given. A page reads its own systems' purposes (two queries for the
/// whole page), never the whole register's.
#[tracing::instrument(skip(pool))]
pub async fn systems_page(
    pool: &AnyPool,
    limit: u32,
    after: Option<&Cursor>,
) -> Result<Page<System>, StoreError> {
    let mut conn = pool.acquire().await?;
    let systems = load(
        &mut conn,
        Which::After {
            after: after.map(|c| c.part(0)),
            limit: fetch_limit(limit),
        },
    )
    .await?;
    Ok(Page::from_rows(systems, limit, |s| {
        Cursor::after(&[s.slug.as_str()])
    }))
}

/// Every system in the register, by slug, with its agency and purposes.
#[tracing::instrument(skip(pool))]
pub async fn systems(pool: &AnyPool) -> Result<Vec<System>, StoreError> {
    let mut conn = pool.acquire().await?;
    Ok(load_systems(&mut conn, None).await?)
}

/// The system `slug`, with its agency and purposes, if the register has it.
#[tracing::instrument(skip(pool))]
pub async fn system(pool: &AnyPool, slug: &Slug) -> Result<Option<System>, StoreError> {
    let mut conn = pool.acquire().await?;
    let mut found = load_systems(&mut conn, Some(slug)).await?;
    Ok(found.pop())
}

/// Every agency in the register, by slug.
#[tracing::instrument(skip(pool))]
pub async fn agencies(pool: &AnyPool) -> Result<Vec<Agency>, StoreError> {
    let mut conn = pool.acquire().await?;
    let rows = agency_rows(&mut conn).await?;
    let agencies = rows
        .into_iter()
        .map(AgencyRow::into_agency)
        .collect::<Result<_, _>>()?;
    Ok(agencies)
}

/// The city's name, once it has been recorded.
#[tracing::instrument(skip(pool))]
pub async fn city_name(pool: &AnyPool) -> Result<Option<LocalizedText>, StoreError> {
    let row: Option<(String,)> = sqlx::query_as("SELECT name FROM city WHERE id = 'city'")
        .fetch_optional(pool)
        .await?;
    Ok(row.map(|(name,)| text("city.name", &name)).transpose()?)
}

/// The data categories purpose `purpose_id` declares in the register, in vocabulary order.
pub async fn purpose_categories(pool: &AnyPool, purpose_id: &str) -> Result<Vec<DataCategory>, StoreError> {
    let rows: Vec<(String,)> =
        sqlx::query_as("SELECT category FROM purpose_categories WHERE purpose_id = $1")
            .bind(purpose_id)
            .fetch_all(pool)
            .await?;
    let mut categories = rows
        .iter()
        .map(|(c,)| code("purpose_categories.category", c))
        .collect::<Result<Vec<DataCategory>, _>>()?;
    categories.sort();
    Ok(categories)
}
