//! Resident numbers: how agencies name a resident in the API.

use serde::{Deserialize, Serialize};
use std::fmt;

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

    /// Parses a number as a person might type it: any case, with or without the hyphens,
    /// with or without the `GH` prefix. The prefix is told by length, so a number whose
    /// eight characters begin with `GH` (`GH-GH7K-Q9TX`) can be typed without it too.
    pub fn parse(raw: &str) -> Option<ResidentNumber> {
        let typed: String = raw
            .trim()
            .to_ascii_uppercase()
            .chars()
            .filter(|c| *c != '-')
            .collect();
        let body = if typed.len() == Self::PREFIX.len() - 1 + Self::LEN {
            typed.strip_prefix("GH")?
        } else {
            &typed
        };
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
        assert_eq!(ResidentNumber::parse("0"), None);
        assert_eq!(ResidentNumber::parse(""), None);
    }

    #[test]
    fn a_number_beginning_with_gh_parses_without_its_prefix() {
        let n = ResidentNumber::parse("GH-GH7K-Q9TX").unwrap();
        assert_eq!(n.as_str(), "GH-GH7K-Q9TX");
        assert_eq!(ResidentNumber::parse("gh7kq9tx"), Some(n.clone()));
        assert_eq!(ResidentNumber::parse("GHGH-7KQ9TX"), Some(n));
        assert_eq!(ResidentNumber::parse("GX-7K3M-Q9TX"), None);
    }
}
