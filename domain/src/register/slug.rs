//! Slugs: the short identifiers of agencies, systems and purposes in URLs and the API.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A short identifier made of lowercase ASCII letters, digits and single hyphens.
/// Used for agency and system slugs and for purpose keys, which appear in URLs and the API.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Slug(String);

/// Why a string is not a valid [`Slug`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not a valid identifier: use 1 to 64 lowercase letters, digits and single hyphens")]
pub struct InvalidSlug(pub String);

impl Slug {
    /// Longest accepted slug.
    pub const MAX_LEN: usize = 64;

    /// Validates `s` as a slug.
    pub fn parse(s: &str) -> Result<Slug, InvalidSlug> {
        let well_formed = !s.is_empty()
            && s.len() <= Self::MAX_LEN
            && s.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            && !s.starts_with('-')
            && !s.ends_with('-')
            && !s.contains("--");
        if well_formed {
            Ok(Slug(s.to_owned()))
        } else {
            Err(InvalidSlug(s.to_owned()))
        }
    }

    /// The slug as a string.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Slug {
    type Error = InvalidSlug;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Slug::parse(&s)
    }
}

impl From<Slug> for String {
    fn from(s: Slug) -> String {
        s.0
    }
}

impl fmt::Display for Slug {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_accept_lowercase_words_joined_by_hyphens() {
        assert!(Slug::parse("downtown-cctv-2").is_ok());
    }

    #[test]
    fn slugs_reject_everything_else() {
        for bad in [
            "",
            "Downtown",
            "a b",
            "-a",
            "a-",
            "a--b",
            "ä",
            "a/b",
            &"a".repeat(65),
        ] {
            assert!(Slug::parse(bad).is_err(), "{bad:?} should be rejected");
        }
    }
}
