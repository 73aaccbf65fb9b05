//! Server functions of the register desk in the officer console: the register at a glance,
//! one system's form, saving it (at once, or into a draft review when the change needs
//! public review), and the register role admins grant.

use crate::error::AppError;
use domain::lang::Lang;
use domain::register::{FormFields, ReviewSummary};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use crate::backend as ssr;

/// What the register desk shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RegisterDesk {
    /// A page of the systems, by slug: slug, name, status code.
    pub systems: Vec<(String, String, String)>,
    /// Where the next page of systems starts; `None` on the last page.
    pub systems_next: Option<String>,
    /// Whether the systems shown are a later page.
    pub systems_later: bool,
    /// Every agency: slug and name.
    pub agencies: Vec<(String, String)>,
    /// The newest reviews (a page; `/reviews` pages through them all).
    pub reviews: Vec<ReviewSummary>,
    /// Whether older reviews follow on `/reviews`.
    pub more_reviews: bool,
    /// The staff and their register role (admins only; empty for officers).
    pub staff: Vec<StaffRole>,
}

/// A member of staff and whether they may edit the register.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffRole {
    pub id: String,
    pub name: String,
    pub email: String,
    pub admin: bool,
    pub editor: bool,
}

/// One system's form: its fields (empty for a new system) and the choices it offers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EntryForm {
    /// `None` for a new system.
    pub slug: Option<String>,
    pub fields: FormFields,
    /// Agencies: slug and name.
    pub agencies: Vec<(String, String)>,
    /// How many purpose blocks the form has (the stored ones and one blank to add).
    pub purpose_blocks: usize,
}

/// Systems per page of the register desk.
pub const DESK_SYSTEMS_PAGE_SIZE: u32 = 100;

/// The register desk; register staff only.
#[server(prefix = "/fn", endpoint = "console/register")]
pub async fn load_register_desk(lang: Lang, cursor: Option<String>) -> Result<RegisterDesk, AppError> {
    let session = crate::reviews::require_register_editor().await?;
    let after = domain::register::SYSTEM_CURSOR
        .decode_opt(cursor.as_deref().filter(|c| !c.is_empty()))
        .map_err(|_| AppError::InvalidInput("cursor".to_owned()))?;
    let pool = ssr::backend()?.pool;
    let page = store::register::system_lines(&pool, DESK_SYSTEMS_PAGE_SIZE, after.as_ref()).await?;
    let systems_next = page.next_cursor();
    let systems = page
        .items
        .into_iter()
        .map(|s| (s.slug, s.name.get(lang).to_owned(), s.status.code().to_owned()))
        .collect();
    let staff = if session.user.role == domain::account::Role::Admin {
        store::register::register_staff(&pool)
            .await?
            .into_iter()
            .map(|s| StaffRole {
                admin: s.role == domain::account::Role::Admin,
                id: s.id,
                name: s.name,
                email: s.email,
                editor: s.editor,
            })
            .collect()
    } else {
        Vec::new()
    };
    let agencies = store::register::agencies(&pool)
        .await?
        .into_iter()
        .map(|a| (a.slug.to_string(), a.name.get(lang).to_owned()))
        .collect();
    let reviews = store::register::reviews(&pool, true, lang, None).await?;
    Ok(RegisterDesk {
        systems,
        systems_next,
        systems_later: after.is_some(),
        agencies,
        more_reviews: reviews.next.is_some(),
        reviews: reviews.items,
        staff,
    })
}

/// The form of system `slug` as stored (or, for a new system, blank).
#[server(prefix = "/fn", endpoint = "console/register_entry")]
pub async fn register_entry(slug: Option<String>, lang: Lang) -> Result<EntryForm, AppError> {
    crate::reviews::require_register_editor().await?;
    let pool = ssr::backend()?.pool;
    let agencies = store::register::agencies(&pool)
        .await?
        .into_iter()
        .map(|a| (a.slug.to_string(), a.name.get(lang).to_owned()))
        .collect();
    let (slug, fields, stored) = match slug.filter(|s| !s.is_empty()) {
        Some(slug) => {
            let parsed = domain::register::Slug::parse(&slug).map_err(|_| AppError::NotFound)?;
            // A draft's proposal is what the form edits; otherwise the entry in force.
            let record = match store::register::pending_proposal(&pool, parsed.as_str()).await? {
                (Some(proposal), _) => proposal,
                _ => {
                    let system = store::register::system(&pool, &parsed)
                        .await?
                        .ok_or(AppError::NotFound)?;
                    domain::register::SystemRecord::of(&system)
                }
            };
            let purposes = record.purposes.len();
            (Some(slug), domain::register::form_from_record(&record), purposes)
        }
        None => (None, FormFields::new(), 0),
    };
    Ok(EntryForm {
        slug,
        fields,
        agencies,
        purpose_blocks: stored + 1,
    })
}

/// Saves a system from the form. Applied at once when the change needs no public review
/// (back to the desk); otherwise kept in the system's draft review (on to it). Problems
/// come back field by field, with what was sent.
#[server(prefix = "/fn", endpoint = "console/save_system")]
pub async fn save_system_entry(fields: FormFields) -> Result<(), AppError> {
    use domain::register::{SystemStatus, field_of_problem, record_from_form};
    let session = crate::reviews::require_register_editor().await?;
    let backend = ssr::backend()?;
    let pool = backend.pool;
    let mut record = record_from_form(&fields);
    let stored = match domain::register::Slug::parse(&record.slug) {
        Ok(slug) => store::register::system(&pool, &slug).await?,
        Err(_) => None,
    };
    let (draft, running) = store::register::pending_proposal(&pool, &record.slug).await?;
    let new = fields.get("new").is_some_and(|v| v == "yes");
    if new {
        // A new system starts planned; it goes live only through an approved review.
        record.status = SystemStatus::Planned.code().to_owned();
        if stored.is_some() || running {
            return Err(AppError::RegisterForm {
                problems: vec![(
                    "slug".to_owned(),
                    "a system with this slug is already in the register or proposed".to_owned(),
                )],
                fields,
            });
        }
    } else if stored.is_none() && draft.is_none() {
        return Err(AppError::NotFound);
    }
    let agencies = store::register::agencies(&pool).await?;
    let system = record
        .check_one(&agencies)
        .map_err(|problems| AppError::RegisterForm {
            problems: problems
                .into_iter()
                .map(|p| (field_of_problem(&p.path), p.message))
                .collect(),
            fields: fields.clone(),
        })?;
    let saved = store::register::save_system(&pool, &session.user, &system, backend.comment_days).await??;
    tracing::info!(officer = %session.user.id, system = %system.slug, ?saved, "register entry saved");
    match saved {
        store::register::Saved::Applied => {
            leptos_axum::redirect(&format!("/admin/register?saved={}", system.slug))
        }
        store::register::Saved::Review(id) => {
            leptos_axum::redirect(&format!("/reviews/{id}?done={}", ssr::action_stamp()))
        }
    }
    Ok(())
}

/// Admins grant (`grant` = "yes") or withdraw an officer's register role.
#[server(prefix = "/fn", endpoint = "console/register_role")]
pub async fn grant_register_role(user: String, grant: String) -> Result<(), AppError> {
    let session = ssr::require_staff()?;
    if session.user.role != domain::account::Role::Admin {
        return Err(AppError::denied(true));
    }
    let pool = ssr::backend()?.pool;
    if !store::register::grant_register(
        &pool,
        store::audit::Actor::Staff(&session.user),
        &user,
        grant == "yes",
    )
    .await?
    {
        return Err(AppError::NotFound);
    }
    leptos_axum::redirect("/admin/register#staff");
    Ok(())
}

/// The form of agency `slug` as stored (or, for a new agency, blank).
#[server(prefix = "/fn", endpoint = "console/agency_entry")]
pub async fn agency_entry(slug: Option<String>) -> Result<(Option<String>, FormFields), AppError> {
    crate::reviews::require_register_editor().await?;
    let Some(slug) = slug.filter(|s| !s.is_empty()) else {
        return Ok((None, FormFields::new()));
    };
    let pool = ssr::backend()?.pool;
    let agency = store::register::agencies(&pool)
        .await?
        .into_iter()
        .find(|a| a.slug.as_str() == slug)
        .ok_or(AppError::NotFound)?;
    let record = domain::register::AgencyRecord::of(&agency);
    Ok((Some(slug), domain::register::form_from_agency(&record)))
}

/// Saves an agency from the form (`new` = "yes" to add one); problems come back field by
/// field, with what was sent.
#[server(prefix = "/fn", endpoint = "console/save_agency")]
pub async fn save_agency_entry(fields: FormFields) -> Result<(), AppError> {
    let session = crate::reviews::require_register_editor().await?;
    let new = fields.get("new").is_some_and(|v| v == "yes");
    let record = domain::register::agency_from_form(&fields);
    let agency = record.check_one().map_err(|problems| AppError::RegisterForm {
        problems: problems.into_iter().map(|p| (p.path, p.message)).collect(),
        fields: fields.clone(),
    })?;
    let pool = ssr::backend()?.pool;
    if !store::register::save_agency(&pool, &session.user, &agency, new).await? {
        if !new {
            return Err(AppError::NotFound);
        }
        return Err(AppError::RegisterForm {
            problems: vec![(
                "slug".to_owned(),
                "an agency with this slug is already in the register".to_owned(),
            )],
            fields,
        });
    }
    leptos_axum::redirect(&format!("/admin/register?saved={}", agency.slug));
    Ok(())
}
