//! A new request as a resident files it: the form's fields, checked before anything is stored.

use super::kind::RequestKind;
use crate::register::Slug;
use serde::{Deserialize, Serialize};

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

#[cfg(test)]
mod tests {
    use super::*;

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
}
