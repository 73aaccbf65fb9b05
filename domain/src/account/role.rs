//! Roles (what a signed-in person may do) and API scopes (what an agency client may call).

use crate::vocabulary;

vocabulary! {
    /// What a signed-in person may do.
    Role {
        /// A resident: their own data, consents and requests.
        Resident => "resident",
        /// A privacy officer: the admin console.
        Officer => "officer",
        /// An administrator: the console and its configuration.
        Admin => "admin",
    }
}

impl Role {
    /// Whether this role may use the officer console under `/admin`.
    pub fn is_staff(self) -> bool {
        matches!(self, Role::Officer | Role::Admin)
    }
}

vocabulary! {
    /// What an agency API client may call.
    ApiScope {
        ConsentCheck => "consent:check",
        SubjectsRead => "subjects:read",
        EnrollmentWrite => "enrollment:write",
        RequestsWork => "requests:work",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_officers_and_admins_are_staff() {
        assert!(!Role::Resident.is_staff());
        assert!(Role::Officer.is_staff() && Role::Admin.is_staff());
    }

    #[test]
    fn api_scopes_use_their_colon_codes() {
        assert_eq!("consent:check".parse::<ApiScope>(), Ok(ApiScope::ConsentCheck));
        assert_eq!(
            serde_json::to_string(&ApiScope::SubjectsRead).unwrap(),
            "\"subjects:read\""
        );
    }
}
