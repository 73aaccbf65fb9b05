//! The password policy: length bounds and a list of passwords too common to accept. The
//! server also asks zxcvbn how easy a new password is to guess (`auth::strength`); that check
//! is not here because its word lists would weigh on the WebAssembly bundle.

use super::errors::AccountInputError;
use std::fmt;

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

#[cfg(test)]
mod tests {
    use super::*;

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
}
