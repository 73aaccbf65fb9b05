//! The staff second factor: who needs one, what comes after a right password, and the
//! shapes of the codes people type (an authenticator's six digits, a one-time recovery code,
//! the operator's one-time enrolment code).

use super::role::Role;
use serde::{Deserialize, Serialize};

/// Whether staff must use a second factor (production) or may sign in with a password alone
/// until they enrol one or an operator issues them an enrolment code (development, the demo
/// city).
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
    /// Enrol an authenticator first (with the operator's enrolment code), then enter its
    /// first code.
    Enrol,
}

/// The step after a right password: residents are signed in; staff enter a code when they have
/// an authenticator, and must enrol one first when the rule requires it, or when an operator
/// has issued them an enrolment code (`code_issued`: still good, or redeemed for an enrolment
/// not yet confirmed; the operator asked for it, even where the rule leaves it optional). Officers open every resident's requests:
/// a stolen password alone must not be enough.
pub fn after_password(
    role: Role,
    enrolled: bool,
    rule: SecondFactorRule,
    code_issued: bool,
) -> AfterPassword {
    match (role.is_staff(), enrolled, rule) {
        (false, _, _) => AfterPassword::Session,
        (true, true, _) => AfterPassword::Code,
        (true, false, SecondFactorRule::Required) => AfterPassword::Enrol,
        (true, false, SecondFactorRule::Optional) if code_issued => AfterPassword::Enrol,
        (true, false, SecondFactorRule::Optional) => AfterPassword::Session,
    }
}

/// Characters of an enrolment code (the resident number's alphabet: 30^20, about 2^98).
pub const ENROLMENT_CODE_CHARS: usize = 20;
/// How long an enrolment code stays good after the operator issues it.
pub const ENROLMENT_CODE_SECS: i64 = 72 * 3600;

/// The one-time code an operator gives a staff member, out of band, to enrol an
/// authenticator: a right password alone never shows an authenticator's secret. Normalised
/// (upper case, no separators); random, so a fast keyed digest is enough to store it.
#[derive(Clone, PartialEq, Eq)]
pub struct EnrolmentCode(String);

impl std::fmt::Debug for EnrolmentCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("EnrolmentCode(..)")
    }
}

impl EnrolmentCode {
    /// A code from random bytes.
    pub fn from_random(bytes: [u8; ENROLMENT_CODE_CHARS]) -> EnrolmentCode {
        let alphabet = super::ResidentNumber::ALPHABET;
        EnrolmentCode(
            bytes
                .iter()
                .map(|b| char::from(alphabet[usize::from(*b) % alphabet.len()]))
                .collect(),
        )
    }

    /// Reads a code as people type it: spaces and dashes ignored, any case. `None`: not the
    /// shape of an enrolment code.
    pub fn parse(raw: &str) -> Option<EnrolmentCode> {
        let body: String = raw
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '-')
            .collect::<String>()
            .to_ascii_uppercase();
        (body.len() == ENROLMENT_CODE_CHARS
            && body.bytes().all(|b| super::ResidentNumber::ALPHABET.contains(&b)))
        .then_some(EnrolmentCode(body))
    }

    /// The normalised code (what is digested).
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The code as the operator reads it out: groups of five joined by dashes.
    pub fn shown(&self) -> String {
        self.0
            .as_bytes()
            .chunks(5)
            .map(|group| String::from_utf8_lossy(group).into_owned())
            .collect::<Vec<_>>()
            .join("-")
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
                for code_issued in [true, false] {
                    assert_eq!(
                        after_password(Role::Resident, enrolled, rule, code_issued),
                        AfterPassword::Session
                    );
                }
            }
        }
    }

    #[test]
    fn staff_enrol_when_required_and_always_use_an_enrolled_authenticator() {
        for role in [Role::Officer, Role::Admin] {
            for code_issued in [true, false] {
                assert_eq!(
                    after_password(role, false, SecondFactorRule::Required, code_issued),
                    AfterPassword::Enrol
                );
                assert_eq!(
                    after_password(role, true, SecondFactorRule::Required, code_issued),
                    AfterPassword::Code
                );
                assert_eq!(
                    after_password(role, true, SecondFactorRule::Optional, code_issued),
                    AfterPassword::Code
                );
            }
            assert_eq!(
                after_password(role, false, SecondFactorRule::Optional, false),
                AfterPassword::Session
            );
        }
    }

    #[test]
    fn an_issued_enrolment_code_makes_staff_enrol_where_it_is_optional() {
        assert_eq!(
            after_password(Role::Officer, false, SecondFactorRule::Optional, true),
            AfterPassword::Enrol
        );
    }

    #[test]
    fn an_enrolment_code_reads_back_as_itself_however_it_is_typed() {
        let code = EnrolmentCode::from_random(std::array::from_fn(|i| u8::try_from(i * 13).unwrap()));
        let shown = code.shown();
        assert_eq!(shown.len(), ENROLMENT_CODE_CHARS + 3);
        assert_eq!(shown.matches('-').count(), 3);
        assert_eq!(EnrolmentCode::parse(&shown), Some(code.clone()));
        let typed = shown.to_lowercase().replace('-', " ");
        assert_eq!(EnrolmentCode::parse(&typed), Some(code.clone()));
        assert_eq!(code.as_str().len(), ENROLMENT_CODE_CHARS);
    }

    #[test]
    fn other_shapes_are_not_enrolment_codes() {
        assert_eq!(EnrolmentCode::parse(""), None);
        assert_eq!(EnrolmentCode::parse("123456"), None);
        assert_eq!(EnrolmentCode::parse("ABCDE-FGHJK"), None, "a recovery code");
        // 0, O, 1 and I are not in the alphabet.
        assert_eq!(EnrolmentCode::parse("ABCDE-FGHJK-MNPQR-STVW0"), None);
        assert_eq!(EnrolmentCode::parse("ABCDE-FGHJK-MNPQR-STVWX-Y"), None);
        assert!(EnrolmentCode::parse("ABCDE-FGHJK-MNPQR-STVWX").is_some());
        assert_eq!(
            format!("{:?}", EnrolmentCode::parse("ABCDE-FGHJK-MNPQR-STVWX").unwrap()),
            "EnrolmentCode(..)"
        );
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
