//! Texts of the register that carry one translation per language.

use super::lang::Lang;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A text with a translation per language, e.g. `{"en": "Parking", "es": "Estacionamiento"}`.
///
/// Reading it in a language falls back to the default language (English) when that
/// translation is missing, so a resident always sees something.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct LocalizedText(BTreeMap<Lang, String>);

impl LocalizedText {
    /// Builds a text from `(language, translation)` pairs; blank translations are dropped.
    pub fn new(pairs: impl IntoIterator<Item = (Lang, String)>) -> Self {
        Self(
            pairs
                .into_iter()
                .filter(|(_, text)| !text.trim().is_empty())
                .collect(),
        )
    }

    /// The translation for `lang`, else the default language's, else any, else "".
    pub fn get(&self, lang: Lang) -> &str {
        self.0
            .get(&lang)
            .or_else(|| self.0.get(&Lang::default()))
            .or_else(|| self.0.values().next())
            .map_or("", String::as_str)
    }

    /// Whether a translation exists in exactly this language (no fallback).
    pub fn has(&self, lang: Lang) -> bool {
        self.0.contains_key(&lang)
    }

    /// Whether no translation exists at all.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Every translation, in language order.
    pub fn iter(&self) -> impl Iterator<Item = (Lang, &str)> {
        self.0.iter().map(|(l, t)| (*l, t.as_str()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(pairs: &[(Lang, &str)]) -> LocalizedText {
        LocalizedText::new(pairs.iter().map(|(l, t)| (*l, t.to_string())))
    }

    #[test]
    fn a_present_translation_is_returned() {
        let t = text(&[(Lang::En, "Parking"), (Lang::Es, "Estacionamiento")]);
        assert_eq!(t.get(Lang::Es), "Estacionamiento");
        assert_eq!(t.get(Lang::En), "Parking");
    }

    #[test]
    fn a_missing_translation_falls_back_to_english() {
        let t = text(&[(Lang::En, "Parking")]);
        assert_eq!(t.get(Lang::Es), "Parking");
        assert!(!t.has(Lang::Es));
    }

    #[test]
    fn blank_translations_count_as_missing() {
        let t = text(&[(Lang::En, "Parking"), (Lang::Es, "  ")]);
        assert_eq!(t.get(Lang::Es), "Parking");
    }

    #[test]
    fn it_round_trips_through_json_as_a_plain_object() {
        let t = text(&[(Lang::En, "Parking"), (Lang::Es, "Estacionamiento")]);
        let json = serde_json::to_string(&t).expect("serialises");
        assert_eq!(json, r#"{"en":"Parking","es":"Estacionamiento"}"#);
        assert_eq!(serde_json::from_str::<LocalizedText>(&json).expect("parses"), t);
    }
}
