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
        ConsentChanges => "consent:changes",
        IncidentsWrite => "incidents:write",
    }
}

impl ApiScope {
    /// The least an agency's client needs, given the scopes of the systems the agency runs:
    /// any system is checked, has its privacy-request tasks and may have an incident to report; only a system of enrolled
    /// residents issues enrollment codes, reads residents' data and follows their consent
    /// changes (the feed lists enrolled residents only).
    pub fn needed_by(systems: &[crate::register::Scope]) -> Vec<ApiScope> {
        use crate::register::Scope;
        let mut scopes = Vec::new();
        if !systems.is_empty() {
            scopes.extend([
                ApiScope::ConsentCheck,
                ApiScope::RequestsWork,
                ApiScope::IncidentsWrite,
            ]);
        }
        if systems.contains(&Scope::Enrollment) {
            scopes.extend([
                ApiScope::SubjectsRead,
                ApiScope::EnrollmentWrite,
                ApiScope::ConsentChanges,
            ]);
        }
        scopes.sort();
        scopes
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::register::Scope;

    #[test]
    fn an_agency_gets_only_the_scopes_its_systems_need() {
        assert_eq!(ApiScope::needed_by(&[]), Vec::<ApiScope>::new());
        assert_eq!(
            ApiScope::needed_by(&[Scope::PublicSpace]),
            [
                ApiScope::ConsentCheck,
                ApiScope::RequestsWork,
                ApiScope::IncidentsWrite
            ]
        );
        assert_eq!(
            ApiScope::needed_by(&[Scope::PublicSpace, Scope::Enrollment]),
            ApiScope::ALL
        );
    }

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
