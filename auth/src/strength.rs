//! How hard a new password is to guess, by zxcvbn (Dropbox's estimator, kept as a crate): it
//! knows some 30 000 common passwords, English words, names, keyboard walks, dates, repeats,
//! sequences and l33t spellings, and counts the guesses an attacker who tries those first
//! would need. Server-only: its lists would weigh on the WebAssembly bundle.
//!
//! The length rules stay `domain::account::Password`'s; this is the second check, run once a
//! password has passed them.

use domain::account::AccountInputError;
use zxcvbn::Score;

/// The least score accepted: about 10^10 guesses, zxcvbn's own line for "not too weak".
const MIN_SCORE: Score = Score::Three;

/// The words of the account's email and name, which zxcvbn treats as known to a guesser.
fn own_words(email: &str, name: &str) -> Vec<String> {
    let email = email.trim().to_lowercase();
    let local = email.split('@').next().unwrap_or_default().to_owned();
    let name = name.trim().to_lowercase();
    let mut words = vec![email.clone(), local.clone(), name.clone()];
    for text in [&email, &name] {
        words.extend(
            text.split(|c: char| !c.is_alphanumeric())
                .filter(|w| w.chars().count() >= 3)
                .map(str::to_owned),
        );
    }
    words.retain(|w| !w.is_empty());
    words.sort_unstable();
    words.dedup();
    words
}

/// Why `password` is too easy to guess for the account of `email` and `name`, or `None` when
/// it is hard enough. Work is bounded: zxcvbn reads at most the first 100 characters.
pub fn too_guessable(password: &str, email: &str, name: &str) -> Option<AccountInputError> {
    let words = own_words(email, name);
    let inputs: Vec<&str> = words.iter().map(String::as_str).collect();
    let estimate = zxcvbn::zxcvbn(password, &inputs);
    if estimate.score() >= MIN_SCORE {
        return None;
    }
    // Said only of the person's own words, not of the email's domain.
    let lowered = password.to_lowercase();
    let local = email.trim().to_lowercase();
    let local = local.split('@').next().unwrap_or_default();
    let uses_own_words = own_words(local, name)
        .iter()
        .any(|w| w.chars().count() >= 3 && lowered.contains(w.as_str()));
    Some(if uses_own_words {
        AccountInputError::PasswordHasOwnDetails
    } else {
        AccountInputError::PasswordGuessable
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn common_passwords_and_patterns_are_refused() {
        for password in [
            "password123456",
            "qwertyuiop123",
            "iloveyou2024!",
            "abcdefghijklmnop",
            "1234567890abcdef",
        ] {
            assert_eq!(
                too_guessable(password, "bo@example.org", "Bo"),
                Some(AccountInputError::PasswordGuessable),
                "{password}"
            );
        }
    }

    #[test]
    fn a_password_made_of_the_own_name_or_email_is_refused() {
        let refused = |password| too_guessable(password, "ana.garcia@example.org", "Ana García");
        assert_eq!(
            refused("ana.garcia1990"),
            Some(AccountInputError::PasswordHasOwnDetails)
        );
        assert_eq!(
            refused("ana.garcia@example.org"),
            Some(AccountInputError::PasswordHasOwnDetails)
        );
        assert_eq!(
            refused("garcíagarcía12"),
            Some(AccountInputError::PasswordHasOwnDetails)
        );
    }

    #[test]
    fn a_passphrase_of_unrelated_words_is_accepted() {
        for password in [
            "river otter lantern 42",
            "quiet lantern orchard river",
            "correct zebra umbrella pancake",
        ] {
            assert_eq!(
                too_guessable(password, "ana@example.org", "Ana"),
                None,
                "{password}"
            );
        }
    }

    /// Every password the code base signs up or changes to, with the account it is used for:
    /// the tests' (server/tests), the demo city's (server/demo/city.toml, also in the end2end
    /// specs), the end2end residents' (end2end/tests/helpers.ts) and the soak's (bench/soak.sh).
    #[test]
    fn the_passwords_the_code_base_uses_are_accepted() {
        for (password, email, name) in [
            ("river otter lantern 42", "ana@example.org", "Ana"),
            ("river otter lantern 42", "ANA@example.org ", "A"),
            ("river otter lantern 42", "olu@riverton.example", "Olu Officer"),
            ("river otter lantern 42", "admin@riverton.example", "Ada Admin"),
            ("another long passphrase 7", "ana@example.org", "Ana"),
            ("a new long passphrase", "ana@example.org", "Ana"),
            (
                "quiet lantern orchard river",
                "e2e-1a2b3c@example.org",
                "E2E Resident 1a2b3c",
            ),
            (
                "another long passphrase",
                "e2e-1a2b3c@example.org",
                "E2E Resident 1a2b3c again",
            ),
            (
                "riverton demo resident",
                "ana.garcia@riverton.example",
                "Ana García",
            ),
            (
                "riverton demo officer",
                "privacy.officer@riverton.example",
                "Sam Okafor",
            ),
            ("riverton demo admin", "admin@riverton.example", "Lee Morgan"),
            ("soak password, long enough", "soak1@riverton.example", "Soak 1"),
        ] {
            assert_eq!(
                too_guessable(password, email, name),
                None,
                "{password} for {email}"
            );
        }
    }

    #[test]
    fn the_own_words_are_the_email_its_parts_and_the_name() {
        assert_eq!(
            own_words("Ana.Garcia@Example.org ", "Ana García"),
            [
                "ana",
                "ana garcía",
                "ana.garcia",
                "ana.garcia@example.org",
                "example",
                "garcia",
                "garcía",
                "org",
            ]
        );
    }
}
