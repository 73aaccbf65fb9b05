//! The languages Glasshouse speaks.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// A language the interface and the register's texts are available in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    /// English, the default language and the fallback for missing translations.
    #[default]
    En,
    /// Spanish.
    Es,
    /// Arabic (Modern Standard Arabic), written right to left.
    Ar,
}

/// The direction a language is written in, as HTML's `dir` attribute says it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Direction {
    LeftToRight,
    RightToLeft,
}

impl Direction {
    /// The value of HTML's `dir` attribute: `ltr` or `rtl`.
    pub fn code(self) -> &'static str {
        match self {
            Direction::LeftToRight => "ltr",
            Direction::RightToLeft => "rtl",
        }
    }
}

impl Lang {
    /// Every supported language, default first.
    pub const ALL: [Lang; 3] = [Lang::En, Lang::Es, Lang::Ar];

    /// The BCP 47 code, as used in URLs, cookies and `<html lang>`.
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Es => "es",
            Lang::Ar => "ar",
        }
    }

    /// The language's own name for itself, shown in the language switch.
    pub fn endonym(self) -> &'static str {
        match self {
            Lang::En => "English",
            Lang::Es => "Español",
            Lang::Ar => "العربية",
        }
    }

    /// The direction the language is written in.
    pub fn direction(self) -> Direction {
        match self {
            Lang::En | Lang::Es => Direction::LeftToRight,
            Lang::Ar => Direction::RightToLeft,
        }
    }

    /// The supported codes, comma-separated, for messages that list them.
    pub fn codes() -> String {
        Lang::ALL.map(Lang::code).join(", ")
    }

    /// Parses a code leniently (`es`, `ES`, `es-MX`), or returns `None` for an unsupported one.
    pub fn from_code(code: &str) -> Option<Lang> {
        let primary = code.trim().split(['-', '_']).next()?.to_ascii_lowercase();
        Lang::ALL.into_iter().find(|l| l.code() == primary)
    }
}

impl fmt::Display for Lang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// The error for a language code Glasshouse does not support.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unsupported language {0:?}; supported: {codes}", codes = Lang::codes())]
pub struct UnsupportedLang(pub String);

impl FromStr for Lang {
    type Err = UnsupportedLang;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Lang::from_code(s).ok_or_else(|| UnsupportedLang(s.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn region_subtags_and_case_are_ignored() {
        assert_eq!(Lang::from_code("es-MX"), Some(Lang::Es));
        assert_eq!(Lang::from_code("EN_gb"), Some(Lang::En));
    }

    #[test]
    fn unsupported_languages_are_rejected() {
        assert_eq!(Lang::from_code("fr"), None);
        assert!("".parse::<Lang>().is_err());
        assert!("ara".parse::<Lang>().is_err());
    }

    #[test]
    fn arabic_is_parsed_with_its_regions_and_named_in_arabic() {
        assert_eq!(Lang::from_code("ar"), Some(Lang::Ar));
        assert_eq!(Lang::from_code("ar-EG"), Some(Lang::Ar));
        assert_eq!(Lang::from_code("AR_ma"), Some(Lang::Ar));
        assert_eq!("ar".parse::<Lang>(), Ok(Lang::Ar));
        assert_eq!(Lang::Ar.endonym(), "العربية");
        assert_eq!(Lang::Ar.to_string(), "ar");
    }

    #[test]
    fn only_arabic_is_written_right_to_left() {
        assert_eq!(Lang::Ar.direction(), Direction::RightToLeft);
        assert_eq!(Lang::Ar.direction().code(), "rtl");
        assert_eq!(Lang::En.direction().code(), "ltr");
        assert_eq!(Lang::Es.direction(), Direction::LeftToRight);
    }

    #[test]
    fn every_language_round_trips_through_its_code_and_json() {
        for lang in Lang::ALL {
            assert_eq!(Lang::from_code(lang.code()), Some(lang));
            let json = serde_json::to_string(&lang).unwrap();
            assert_eq!(json, format!("\"{}\"", lang.code()));
        }
        let err = "fr".parse::<Lang>().unwrap_err();
        assert_eq!(
            err.to_string(),
            "unsupported language \"fr\"; supported: en, es, ar"
        );
    }
}
