//! The public register's server functions: list (search and filter) and one system.

pub mod changes_page;
pub mod history_page;
pub mod home_page;
pub mod reports;
pub mod system_page;
pub mod systems_page;

use crate::error::AppError;
use domain::lang::Lang;
use domain::register::{AgencyOption, SystemSummary, SystemView, VersionView};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// The raw filter form, as it arrives in the page's query string ("" means "any").
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FilterForm {
    pub q: String,
    pub agency: String,
    pub technology: String,
    pub basis: String,
    pub category: String,
}

impl FilterForm {
    /// Whether any filter or search text is set.
    pub fn is_active(&self) -> bool {
        [
            &self.q,
            &self.agency,
            &self.technology,
            &self.basis,
            &self.category,
        ]
        .iter()
        .any(|v| !v.trim().is_empty())
    }
}

#[cfg(feature = "ssr")]
mod ssr {
    use super::*;
    use domain::search::RegisterFilter;

    pub fn parse(form: &FilterForm) -> Result<RegisterFilter, AppError> {
        RegisterFilter::parse(
            &form.q,
            &form.agency,
            &form.technology,
            &form.basis,
            &form.category,
        )
        .map_err(|e| AppError::InvalidInput(e.to_string()))
    }
}

/// The systems that match `form`, sorted by name in `lang`.
#[server(prefix = "/fn", endpoint = "register/search")]
pub async fn search_systems(lang: Lang, form: FilterForm) -> Result<Vec<SystemSummary>, AppError> {
    let filter = ssr::parse(&form)?;
    let systems = store::register::systems(&crate::backend::backend()?.pool).await?;
    let mut found: Vec<SystemSummary> = systems
        .iter()
        .filter(|s| filter.matches(s))
        .map(|s| s.summary(lang))
        .collect();
    found.sort_by_cached_key(|s| domain::search::fold(&s.name));
    Ok(found)
}

/// Every agency, for the filter, sorted by name in `lang`.
#[server(prefix = "/fn", endpoint = "register/agencies")]
pub async fn list_agencies(lang: Lang) -> Result<Vec<AgencyOption>, AppError> {
    let agencies = store::register::agencies(&crate::backend::backend()?.pool).await?;
    let mut options: Vec<AgencyOption> = agencies
        .iter()
        .map(|a| AgencyOption {
            slug: a.slug.to_string(),
            name: a.name.get(lang).to_owned(),
        })
        .collect();
    options.sort_by_cached_key(|a| domain::search::fold(&a.name));
    Ok(options)
}

/// Everything about the system with `slug`, or `NotFound`.
#[server(prefix = "/fn", endpoint = "register/system")]
pub async fn get_system(lang: Lang, slug: String) -> Result<SystemView, AppError> {
    let Ok(slug) = domain::register::Slug::parse(&slug) else {
        return Err(AppError::NotFound);
    };
    let system = store::register::system(&crate::backend::backend()?.pool, &slug).await?;
    system.map(|s| s.view(lang)).ok_or(AppError::NotFound)
}

/// The versions of the system with `slug`, newest first, what changed in `lang`; `NotFound`
/// for an unknown slug.
#[server(prefix = "/fn", endpoint = "register/history")]
pub async fn system_history(lang: Lang, slug: String) -> Result<Vec<VersionView>, AppError> {
    let Ok(slug) = domain::register::Slug::parse(&slug) else {
        return Err(AppError::NotFound);
    };
    let versions = store::register::history(&crate::backend::backend()?.pool, &slug).await?;
    if versions.is_empty() {
        return Err(AppError::NotFound);
    }
    Ok(versions.iter().map(|v| v.view(lang)).collect())
}

/// The register's latest changes, newest first, in `lang`.
#[server(prefix = "/fn", endpoint = "register/changes")]
pub async fn register_changes(lang: Lang) -> Result<Vec<VersionView>, AppError> {
    let versions = store::register::changes(&crate::backend::backend()?.pool, CHANGES_SHOWN).await?;
    Ok(versions.iter().map(|v| v.view(lang)).collect())
}

/// The latest milestones of public reviews (periods opened, decisions taken), in `lang`.
#[server(prefix = "/fn", endpoint = "register/review_events")]
pub async fn review_events(lang: Lang) -> Result<Vec<domain::register::ReviewEvent>, AppError> {
    let pool = crate::backend::backend()?.pool;
    Ok(store::register::review_events(&pool, REVIEW_EVENTS_SHOWN, lang).await?)
}

/// How many review milestones the feed lists.
pub const REVIEW_EVENTS_SHOWN: usize = 50;

/// How many changes the feed lists.
pub const CHANGES_SHOWN: i64 = 100;

/// Whether the signed-in resident follows system `slug`; `None` when signed out.
#[server(prefix = "/fn", endpoint = "register/following")]
pub async fn following(slug: String) -> Result<Option<bool>, AppError> {
    let Some(session) = crate::backend::session() else {
        return Ok(None);
    };
    let slug = domain::register::Slug::parse(&slug).map_err(|_| AppError::NotFound)?;
    let pool = crate::backend::backend()?.pool;
    Ok(Some(
        store::register::is_following(&pool, &session.user.id, &slug).await?,
    ))
}

/// Follows (`follow` = "yes") or stops following system `slug`, then back to its page.
#[server(prefix = "/fn", endpoint = "register/follow")]
pub async fn follow_system(slug: String, follow: String) -> Result<(), AppError> {
    let session = crate::backend::require_session()?;
    let parsed = domain::register::Slug::parse(&slug).map_err(|_| AppError::NotFound)?;
    let pool = crate::backend::backend()?.pool;
    if !store::register::follow(&pool, &session.user.id, &parsed, follow == "yes").await? {
        return Err(AppError::NotFound);
    }
    leptos_axum::redirect(&format!("/systems/{parsed}#follow"));
    Ok(())
}
