//! The interface's locale files (`app/locales/*.json`) agree: every file has every key any
//! other file has, each translation keeps its placeholders (`{{ n }}`, `{min}`), and every
//! language Glasshouse speaks has its file, listed in `[package.metadata.leptos-i18n]`.
//! leptos_i18n itself only warns about a missing key and shows English in its place.

use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Every key of a locale file, dotted (`my.enrol_heading`), with its text.
fn flatten(value: &Value, prefix: &str, out: &mut BTreeMap<String, String>) {
    match value {
        Value::Object(map) => {
            for (key, inner) in map {
                let path = if prefix.is_empty() {
                    key.clone()
                } else {
                    format!("{prefix}.{key}")
                };
                flatten(inner, &path, out);
            }
        }
        other => {
            out.insert(prefix.to_owned(), other.as_str().unwrap_or_default().to_owned());
        }
    }
}

/// For each file, the keys another file has and it lacks: `(file, [keys])`, files in order.
fn missing_keys(files: &BTreeMap<String, Value>) -> Vec<(String, Vec<String>)> {
    let keys: BTreeMap<&String, BTreeMap<String, String>> = files
        .iter()
        .map(|(name, value)| {
            let mut flat = BTreeMap::new();
            flatten(value, "", &mut flat);
            (name, flat)
        })
        .collect();
    let all: BTreeSet<&String> = keys.values().flat_map(|k| k.keys()).collect();
    keys.iter()
        .filter_map(|(name, own)| {
            let missing: Vec<String> = all
                .iter()
                .filter(|k| !own.contains_key(**k))
                .map(|k| (*k).clone())
                .collect();
            (!missing.is_empty()).then(|| ((*name).clone(), missing))
        })
        .collect()
}

/// The placeholders of a text, sorted: `{{ n }}` and the app's own `{min}`.
fn placeholders(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find('{') {
        let tail = &rest[start..];
        let end = if tail.starts_with("{{") {
            tail.find("}}").map(|e| e + 2)
        } else {
            tail.find('}').map(|e| e + 1)
        };
        let Some(end) = end else { break };
        found.push(tail[..end].split_whitespace().collect::<String>());
        rest = &tail[end..];
    }
    found.sort();
    found
}

/// Translations whose placeholders differ from the default language's: `(file, key)`.
fn changed_placeholders(files: &BTreeMap<String, Value>, default: &str) -> Vec<(String, String)> {
    let flat = |value: &Value| {
        let mut out = BTreeMap::new();
        flatten(value, "", &mut out);
        out
    };
    let Some(reference) = files.get(default).map(flat) else {
        return Vec::new();
    };
    let mut wrong = Vec::new();
    for (name, value) in files {
        for (key, text) in flat(value) {
            if reference
                .get(&key)
                .is_some_and(|original| placeholders(original) != placeholders(&text))
            {
                wrong.push((name.clone(), key));
            }
        }
    }
    wrong
}

fn locale_files() -> BTreeMap<String, Value> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("locales");
    let mut files = BTreeMap::new();
    for entry in std::fs::read_dir(&dir).expect("app/locales is readable") {
        let path = entry.expect("a directory entry").path();
        if path.extension().is_some_and(|e| e == "json") {
            let text = std::fs::read_to_string(&path).expect("a locale file is readable");
            let value: Value =
                serde_json::from_str(&text).unwrap_or_else(|e| panic!("{} is not JSON: {e}", path.display()));
            let name = path
                .file_name()
                .unwrap_or_default()
                .to_string_lossy()
                .into_owned();
            files.insert(name, value);
        }
    }
    files
}

#[test]
fn every_locale_file_has_every_key() {
    let missing = missing_keys(&locale_files());
    let report: Vec<String> = missing
        .iter()
        .map(|(file, keys)| format!("app/locales/{file} lacks {}: {}", keys.len(), keys.join(", ")))
        .collect();
    assert!(report.is_empty(), "{}", report.join("\n"));
}

#[test]
fn every_translation_keeps_its_placeholders() {
    let wrong = changed_placeholders(&locale_files(), "en.json");
    assert!(wrong.is_empty(), "placeholders differ from en.json: {wrong:?}");
}

#[test]
fn every_language_has_its_locale_file_and_is_listed_for_leptos_i18n() {
    let files = locale_files();
    let manifest = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.toml")).unwrap();
    let listed = manifest
        .lines()
        .find(|l| l.trim_start().starts_with("locales = ["))
        .expect("[package.metadata.leptos-i18n] lists its locales");
    for lang in domain::lang::Lang::ALL {
        assert!(
            files.contains_key(&format!("{}.json", lang.code())),
            "app/locales/{}.json is missing",
            lang.code()
        );
        assert!(
            listed.contains(&format!("\"{}\"", lang.code())),
            "app/Cargo.toml's locales lack {}",
            lang.code()
        );
    }
    assert_eq!(
        files.len(),
        domain::lang::Lang::ALL.len(),
        "a locale file for a language domain::lang::Lang lacks"
    );
}

#[test]
fn a_key_missing_from_one_file_is_named_with_the_file() {
    let files: BTreeMap<String, Value> = [
        (
            "en.json".to_owned(),
            serde_json::json!({"nav": {"label": "Main", "sign_in": "Sign in"}, "yes": "Yes"}),
        ),
        (
            "es.json".to_owned(),
            serde_json::json!({"nav": {"label": "Principal", "sign_in": "Entrar"}, "yes": "Sí"}),
        ),
        (
            "ar.json".to_owned(),
            serde_json::json!({"nav": {"label": "الرئيسية"}, "no": "لا"}),
        ),
    ]
    .into_iter()
    .collect();
    assert_eq!(
        missing_keys(&files),
        [
            (
                "ar.json".to_owned(),
                vec!["nav.sign_in".to_owned(), "yes".to_owned()]
            ),
            ("en.json".to_owned(), vec!["no".to_owned()]),
            ("es.json".to_owned(), vec!["no".to_owned()]),
        ]
    );
}

#[test]
fn a_lost_or_renamed_placeholder_is_named() {
    let files: BTreeMap<String, Value> = [
        (
            "en.json".to_owned(),
            serde_json::json!({"a": "{{ n }} days left", "b": "At least {min}", "c": "{{ x }} of {{ y }}"}),
        ),
        (
            "ar.json".to_owned(),
            serde_json::json!({"a": "الأيام المتبقية: {{n}}", "b": "على الأقل", "c": "{{ y }} من {{ z }}"}),
        ),
    ]
    .into_iter()
    .collect();
    assert_eq!(
        changed_placeholders(&files, "en.json"),
        [
            ("ar.json".to_owned(), "b".to_owned()),
            ("ar.json".to_owned(), "c".to_owned())
        ]
    );
}
