//! The officer console: what an officer sees of a request, the inputs of their actions, and why an action
//! may be refused.

use super::clock::ExtensionRefused;
use super::detail::RequestDetail;
use super::input::{MAX_DETAILS_CHARS, RequestInputError};
use super::status::IllegalTransition;
use serde::{Deserialize, Serialize};

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
pub enum ConsoleError {
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
    Contact(#[from] crate::account::AccountInputError),
    #[error(transparent)]
    Input(#[from] RequestInputError),
}

/// A reason an officer gives (extension, refusal, message): trimmed, required, bounded.
pub fn reason(text: &str) -> Result<String, ConsoleError> {
    let text = text.trim();
    if text.is_empty() || text.chars().count() > MAX_DETAILS_CHARS {
        return Err(ConsoleError::ReasonRequired);
    }
    Ok(text.to_owned())
}

/// Who an officer files an assisted request for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AssistedResident {
    /// A resident with an account, by resident number.
    Number(String),
    /// Someone without an account: a new, unverified record with their contact details.
    New {
        name: crate::account::DisplayName,
        email: Option<crate::account::Email>,
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
    ) -> Result<AssistedResident, ConsoleError> {
        use crate::account::{DisplayName, Email, ProfileFields};
        let number = number.trim();
        if !number.is_empty() {
            return Ok(AssistedResident::Number(number.to_uppercase()));
        }
        if name.trim().is_empty() || (email.trim().is_empty() && phone.trim().is_empty()) {
            return Err(ConsoleError::NoSuchResident);
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_assisted_resident_is_a_number_or_a_name_with_a_way_to_reach_them() {
        assert_eq!(
            AssistedResident::parse(" gh-2345-6789 ", "", "", ""),
            Ok(AssistedResident::Number("GH-2345-6789".into()))
        );
        assert_eq!(
            AssistedResident::parse("", "Rosa", "", ""),
            Err(ConsoleError::NoSuchResident)
        );
        assert_eq!(
            AssistedResident::parse("", "", "rosa@example.org", ""),
            Err(ConsoleError::NoSuchResident)
        );
        assert!(matches!(
            AssistedResident::parse("", "Rosa", "not-an-email", ""),
            Err(ConsoleError::Contact(crate::account::AccountInputError::Email))
        ));
        assert!(matches!(
            AssistedResident::parse("", "Rosa", "", "12ab"),
            Err(ConsoleError::Contact(crate::account::AccountInputError::Phone))
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
