//! The staff second factor: who needs one, what comes after a right password, and the
//! shapes of the codes people type (an authenticator's six digits, a one-time recovery code).

use super::role::Role;
use serde::{Deserialize, Serialize};

/// Whether staff must use a second factor (production) or may sign in with a password alone
/// until they enrol one (development, the demo city).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum SecondFactorRule {
    Required,
    Optional,
}

/// What a sign-in needs once the password was right.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum AfterPassword {
    /// Signed in.
    Session,
    /// A code from the enrolled authenticator (or a recovery code).
    Code,
    /// Enrol an authenticator first, then enter its first code.
    Enrol,
}

/// The step after a right password: residents are signed in; staff enter a code when they have
/// an authenticator, and must enrol one first when the rule requires it. Officers open every
/// resident's requests: a stolen password alone must not be enough.
pub fn after_password(role: Role, enrolled: bool, rule: SecondFactorRule) -> AfterPassword {
    match (role.is_staff(), enrolled, rule) {
        (false, _, _) => AfterPassword::Session,
        (true, true, _) => AfterPassword::Code,
        (true, false, SecondFactorRule::Required) => AfterPassword::Enrol,
        (true, false, SecondFactorRule::Optional) => AfterPassword::Session,
    }
}

/// What a person typed on the second-factor form, told apart by its shape.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SecondFactorCode {
    /// Six digits from the authenticator app.
    Totp(String),
    /// A recovery code, normalised (upper case, no separators).
    Recovery(String),
}

/// How many recovery codes an enrolment gives.
pub const RECOVERY_CODES: usize = 10;
/// Characters per recovery code (from the resident number's alphabet: 30^10 ≈ 2^49 each).
pub const RECOVERY_CODE_CHARS: usize = 10;

impl SecondFactorCode {
    /// Reads a code as people type it: spaces and dashes ignored, any case. `None`: neither
    /// six digits nor a recovery code.
    pub fn parse(raw: &str) -> Option<SecondFactorCode> {
        let body: String = raw
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '-')
            .collect::<String>()
            .to_ascii_uppercase();
        if body.len() == 6 && body.bytes().all(|b| b.is_ascii_digit()) {
            Some(SecondFactorCode::Totp(body))
        } else if body.len() == RECOVERY_CODE_CHARS
            && body.bytes().all(|b| super::ResidentNumber::ALPHABET.contains(&b))
        {
            Some(SecondFactorCode::Recovery(body))
        } else {
            None
        }
    }
}

/// A recovery code from random bytes, normalised (what is stored, as a digest) and as shown
/// (`XXXXX-XXXXX`).
pub fn recovery_code(bytes: [u8; RECOVERY_CODE_CHARS]) -> (String, String) {
    let alphabet = super::ResidentNumber::ALPHABET;
    let code: String = bytes
        .iter()
        .map(|b| char::from(alphabet[usize::from(*b) % alphabet.len()]))
        .collect();
    let shown = format!("{}-{}", &code[..5], &code[5..]);
    (code, shown)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn residents_never_need_a_second_factor() {
        for rule in [SecondFactorRule::Required, SecondFactorRule::Optional] {
            for enrolled in [true, false] {
                assert_eq!(
                    after_password(Role::Resident, enrolled, rule),
                    AfterPassword::Session
                );
            }
        }
    }

    #[test]
    fn staff_enrol_when_required_and_always_use_an_enrolled_authenticator() {
        for role in [Role::Officer, Role::Admin] {
            assert_eq!(
                after_password(role, false, SecondFactorRule::Required),
                AfterPassword::Enrol
            );
            assert_eq!(
                after_password(role, true, SecondFactorRule::Required),
                AfterPassword::Code
            );
            assert_eq!(
                after_password(role, true, SecondFactorRule::Optional),
                AfterPassword::Code
            );
            assert_eq!(
                after_password(role, false, SecondFactorRule::Optional),
                AfterPassword::Session
            );
        }
    }

    #[test]
    fn codes_are_read_as_people_type_them() {
        assert_eq!(
            SecondFactorCode::parse(" 123 456 "),
            Some(SecondFactorCode::Totp("123456".into()))
        );
        assert_eq!(
            SecondFactorCode::parse("abcde-fghjk"),
            Some(SecondFactorCode::Recovery("ABCDEFGHJK".into()))
        );
        assert_eq!(SecondFactorCode::parse("12345"), None);
        assert_eq!(SecondFactorCode::parse("1234567"), None);
        // O and 0 are not in the alphabet: a look-alike is refused, not guessed.
        assert_eq!(SecondFactorCode::parse("ABCDE-FGHJO"), None);
        assert_eq!(SecondFactorCode::parse(""), None);
    }

    #[test]
    fn a_recovery_code_reads_back_as_itself() {
        let (code, shown) = recovery_code([0, 1, 2, 3, 4, 250, 251, 252, 253, 254]);
        assert_eq!(shown.len(), 11);
        assert_eq!(
            SecondFactorCode::parse(&shown),
            Some(SecondFactorCode::Recovery(code))
        );
    }
}
