//! Accounts: who may sign in, with which role, and the rules their inputs must follow.

use crate::vocabulary;
use serde::{Deserialize, Serialize};
use std::fmt;

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

/// Why an input for an account was refused; each says what to do instead.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AccountInputError {
    #[error("enter an email address such as name@example.com")]
    Email,
    #[error("enter a name of 1 to 80 characters")]
    DisplayName,
    #[error("the password needs at least {min} characters", min = Password::MIN_CHARS)]
    PasswordTooShort,
    #[error("the password may have at most {max} characters", max = Password::MAX_CHARS)]
    PasswordTooLong,
    #[error("that password is too common; choose one that is harder to guess")]
    PasswordTooCommon,
    #[error("enter a postal address of at most {max} characters", max = Profile::MAX_ADDRESS_CHARS)]
    PostalAddress,
    #[error("enter a phone number of 6 to 20 digits; spaces, dashes, brackets and a leading + are fine")]
    Phone,
    #[error("enter a date of birth as YYYY-MM-DD, not in the future")]
    DateOfBirth,
}

/// A normalised (trimmed, lowercased) email address.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Email(String);

impl Email {
    /// Longest accepted address (RFC 5321 path limit).
    pub const MAX_LEN: usize = 254;

    /// Validates and normalises an address.
    pub fn parse(raw: &str) -> Result<Email, AccountInputError> {
        let email = raw.trim().to_lowercase();
        let Some((local, domain)) = email.split_once('@') else {
            return Err(AccountInputError::Email);
        };
        let valid = !local.is_empty()
            && domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !domain.contains('@')
            && email.len() <= Self::MAX_LEN
            && !email.chars().any(|c| c.is_whitespace() || c.is_control());
        if valid {
            Ok(Email(email))
        } else {
            Err(AccountInputError::Email)
        }
    }

    /// The address.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The name a person wants to be addressed by.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DisplayName(String);

impl DisplayName {
    /// Validates a name: 1 to 80 characters after trimming, no control characters.
    pub fn parse(raw: &str) -> Result<DisplayName, AccountInputError> {
        let name = raw.trim();
        let chars = name.chars().count();
        if (1..=80).contains(&chars) && !name.chars().any(char::is_control) {
            Ok(DisplayName(name.to_owned()))
        } else {
            Err(AccountInputError::DisplayName)
        }
    }

    /// The name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A new password that passed the policy; never logged or serialised.
pub struct Password(String);

/// Passwords too common to accept, from the top of public breach-frequency lists
/// (only those of 12 characters or more, since shorter ones fail the length rule anyway).
const COMMON_PASSWORDS: &[&str] = &[
    "123456789012",
    "1234567890123",
    "12345678901234",
    "123456123456",
    "password1234",
    "password12345",
    "passwordpassword",
    "qwertyuiopas",
    "qwerty123456",
    "qwertyqwerty",
    "iloveyou1234",
    "aaaaaaaaaaaa",
    "111111111111",
    "000000000000",
    "abcdefghijkl",
    "abc123abc123",
    "letmein12345",
    "welcome12345",
    "administrator",
    "adminadmin123",
    "changeme1234",
    "football1234",
    "baseball1234",
    "monkey123456",
    "sunshine1234",
    "princess1234",
    "trustno1trustno1",
    "1q2w3e4r5t6y",
    "1qaz2wsx3edc",
    "zaq12wsxcde3",
    "qazwsxedcrfv",
    "asdfghjklqwe",
    "passw0rd1234",
    "p@ssw0rd1234",
    "p@ssword1234",
    "correcthorsebatterystaple",
    "mypassword123",
    "secretpassword",
    "glasshouse123",
];

impl Password {
    /// Fewest characters accepted (OWASP ASVS 6.2.1).
    pub const MIN_CHARS: usize = 12;
    /// Most characters accepted, which bounds the hashing work an attacker can ask for.
    pub const MAX_CHARS: usize = 128;

    /// Checks a new password against the policy.
    pub fn new(raw: &str) -> Result<Password, AccountInputError> {
        let chars = raw.chars().count();
        if chars < Self::MIN_CHARS {
            return Err(AccountInputError::PasswordTooShort);
        }
        if chars > Self::MAX_CHARS {
            return Err(AccountInputError::PasswordTooLong);
        }
        let lowered = raw.to_lowercase();
        if COMMON_PASSWORDS.contains(&lowered.as_str()) || lowered.chars().all(|c| lowered.starts_with(c)) {
            return Err(AccountInputError::PasswordTooCommon);
        }
        Ok(Password(raw.to_owned()))
    }

    /// The password, for hashing only.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(…)")
    }
}

/// A resident's public number, how agencies name them in the API: `GH-` and eight
/// characters from an alphabet without look-alikes (no 0/O, 1/I/L, U).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ResidentNumber(String);

impl ResidentNumber {
    /// The characters a resident number uses after its prefix.
    pub const ALPHABET: &'static [u8] = b"23456789ABCDEFGHJKMNPQRSTVWXYZ";
    const PREFIX: &'static str = "GH-";
    const LEN: usize = 8;

    /// A number from eight random bytes (each mapped onto the alphabet; the slight bias
    /// leaves about 2^39 equally likely values, plenty with a uniqueness check on insert).
    pub fn from_random(bytes: [u8; 8]) -> ResidentNumber {
        let chars: String = bytes
            .iter()
            .map(|b| char::from(Self::ALPHABET[usize::from(*b) % Self::ALPHABET.len()]))
            .collect();
        ResidentNumber(format!("{}{}-{}", Self::PREFIX, &chars[..4], &chars[4..]))
    }

    /// Parses a number as a person might type it: any case, with or without the hyphens.
    pub fn parse(raw: &str) -> Option<ResidentNumber> {
        let upper = raw.trim().to_ascii_uppercase();
        let body: String = upper
            .strip_prefix("GH")
            .unwrap_or(&upper)
            .chars()
            .filter(|c| *c != '-')
            .collect();
        let valid = body.len() == Self::LEN && body.bytes().all(|b| Self::ALPHABET.contains(&b));
        valid.then(|| ResidentNumber(format!("{}{}-{}", Self::PREFIX, &body[..4], &body[4..])))
    }

    /// The number as shown, e.g. `GH-7K3M-Q9TX`.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ResidentNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_trimmed_and_lowercased() {
        assert_eq!(
            Email::parse("  Ana@Example.ORG ").unwrap().as_str(),
            "ana@example.org"
        );
    }

    #[test]
    fn malformed_emails_are_refused() {
        for bad in [
            "",
            "ana",
            "ana@",
            "@example.org",
            "ana@example",
            "a b@example.org",
            "ana@@example.org",
        ] {
            assert_eq!(Email::parse(bad), Err(AccountInputError::Email), "{bad:?}");
        }
    }

    #[test]
    fn passwords_follow_the_policy() {
        assert_eq!(
            Password::new("short").err(),
            Some(AccountInputError::PasswordTooShort)
        );
        assert_eq!(
            Password::new(&"x".repeat(129)).err(),
            Some(AccountInputError::PasswordTooLong)
        );
        assert_eq!(
            Password::new("Password1234").err(),
            Some(AccountInputError::PasswordTooCommon)
        );
        assert_eq!(
            Password::new("zzzzzzzzzzzzzz").err(),
            Some(AccountInputError::PasswordTooCommon)
        );
        assert!(Password::new("river otter lantern 42").is_ok());
        // Counted in characters, not bytes.
        assert_eq!(
            Password::new("ñññññññññññ").err(),
            Some(AccountInputError::PasswordTooShort)
        );
    }

    #[test]
    fn a_password_never_shows_in_debug_output() {
        let p = Password::new("river otter lantern 42").unwrap();
        assert_eq!(format!("{p:?}"), "Password(…)");
    }

    #[test]
    fn resident_numbers_use_only_unambiguous_characters() {
        let n = ResidentNumber::from_random([0, 1, 2, 3, 255, 254, 100, 42]);
        assert!(n.as_str().starts_with("GH-"));
        assert_eq!(n.as_str().len(), 12);
        assert!(!n.as_str()[3..].chars().any(|c| "01OILU".contains(c)));
    }

    #[test]
    fn resident_numbers_parse_as_typed() {
        let n = ResidentNumber::from_random([5, 6, 7, 8, 9, 10, 11, 12]);
        let typed = n.as_str().to_lowercase().replace('-', "");
        assert_eq!(ResidentNumber::parse(&typed), Some(n));
        assert_eq!(ResidentNumber::parse("GH-0000-0000"), None);
        assert_eq!(ResidentNumber::parse("GH-ABC"), None);
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

/// What a resident keeps on file beside their sign-up details. Each field belongs to a data
/// category of the register: agencies receive it only for purposes that declare that category.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Profile {
    pub display_name: String,
    pub email: String,
    pub lang: crate::domain::lang::Lang,
    pub resident_number: String,
    pub postal_address: Option<String>,
    pub phone: Option<String>,
    /// ISO 8601 date, `YYYY-MM-DD`.
    pub date_of_birth: Option<String>,
}

/// The editable part of a profile, validated: empty fields become `None`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProfileFields {
    pub postal_address: Option<String>,
    pub phone: Option<String>,
    pub date_of_birth: Option<String>,
}

impl Profile {
    /// Longest accepted postal address.
    pub const MAX_ADDRESS_CHARS: usize = 200;
}

impl ProfileFields {
    /// Validates the fields as typed; `today` is `YYYY-MM-DD` (birth dates may not follow it).
    pub fn parse(
        postal_address: &str,
        phone: &str,
        date_of_birth: &str,
        today: &str,
    ) -> Result<ProfileFields, AccountInputError> {
        let blank = |s: &str| {
            let t = s.trim();
            (!t.is_empty()).then(|| t.to_owned())
        };
        let postal_address = blank(postal_address);
        if let Some(a) = &postal_address
            && (a.chars().count() > Profile::MAX_ADDRESS_CHARS
                || a.chars().any(|c| c.is_control() && c != '\n' && c != '\r'))
        {
            return Err(AccountInputError::PostalAddress);
        }
        let phone = blank(phone);
        if let Some(p) = &phone {
            let digits = p.chars().filter(char::is_ascii_digit).count();
            let allowed = p
                .char_indices()
                .all(|(i, c)| c.is_ascii_digit() || " -().".contains(c) || (c == '+' && i == 0));
            if !allowed || !(6..=20).contains(&digits) {
                return Err(AccountInputError::Phone);
            }
        }
        let date_of_birth = blank(date_of_birth);
        if let Some(d) = &date_of_birth
            && (!is_iso_date(d) || d.as_str() > today)
        {
            return Err(AccountInputError::DateOfBirth);
        }
        Ok(ProfileFields {
            postal_address,
            phone,
            date_of_birth,
        })
    }
}

/// Whether `s` is a real calendar date written `YYYY-MM-DD` from year 1900.
fn is_iso_date(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return false;
    }
    let num = |r: std::ops::Range<usize>| s.get(r).and_then(|p| p.parse::<u32>().ok());
    let (Some(y), Some(m), Some(d)) = (num(0..4), num(5..7), num(8..10)) else {
        return false;
    };
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    y >= 1900 && (1..=days).contains(&d)
}

#[cfg(test)]
mod profile_tests {
    use super::*;

    #[test]
    fn empty_fields_are_none_and_good_ones_are_trimmed() {
        let f = ProfileFields::parse(" 1 Main St ", "", " 1990-02-28", "2026-11-23").unwrap();
        assert_eq!(f.postal_address.as_deref(), Some("1 Main St"));
        assert_eq!(f.phone, None);
        assert_eq!(f.date_of_birth.as_deref(), Some("1990-02-28"));
        let f = ProfileFields::parse("", "+34 (91) 555-0100", "", "2026-11-23").unwrap();
        assert_eq!(f.phone.as_deref(), Some("+34 (91) 555-0100"));
    }

    #[test]
    fn bad_fields_say_which() {
        let today = "2026-11-23";
        assert_eq!(
            ProfileFields::parse(&"a".repeat(201), "", "", today),
            Err(AccountInputError::PostalAddress)
        );
        for phone in ["12345", "555-CALL-NOW", "1+2345678", &"1".repeat(21)] {
            assert_eq!(
                ProfileFields::parse("", phone, "", today),
                Err(AccountInputError::Phone),
                "{phone}"
            );
        }
        for date in [
            "1990-02-30",
            "2027-01-01",
            "1990-2-3",
            "yesterday",
            "1800-01-01",
            "2023-02-29",
        ] {
            assert_eq!(
                ProfileFields::parse("", "", date, today),
                Err(AccountInputError::DateOfBirth),
                "{date}"
            );
        }
        assert!(ProfileFields::parse("", "", "2024-02-29", today).is_ok());
    }
}

/// The person behind a request's session, as pages and server functions see them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CurrentUser {
    pub id: String,
    pub email: String,
    pub display_name: String,
    pub role: Role,
    pub resident_number: String,
    pub lang: crate::domain::lang::Lang,
}

/// Why an account action was refused, in terms a page can explain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AuthError {
    #[error("that email is already registered")]
    EmailTaken,
    /// One message for an unknown email and a wrong password.
    #[error("the email or password is not right")]
    InvalidCredentials,
    #[error("the current password is not right")]
    WrongPassword,
    #[error(transparent)]
    Input(#[from] AccountInputError),
    #[error("too many attempts; try again in {retry_after_secs} seconds")]
    RateLimited { retry_after_secs: u64 },
    #[error("you need to sign in")]
    NotSignedIn,
    #[error("you may not do that")]
    Forbidden,
    #[error("temporarily unavailable")]
    Unavailable,
}
