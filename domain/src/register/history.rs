//! A system's history in the register: every saved change is a version (the system as the
//! register file has it), and what changed between two versions is listed field by field,
//! in the reader's language. The public change feed is built from the same versions.

use super::{DeviceRecord, SystemRecord};
use crate::lang::Lang;
use crate::text::LocalizedText;
use serde::{Deserialize, Serialize};

crate::vocabulary! {
    /// What a version of a system records.
    VersionKind {
        /// The system entered the register.
        Added => "added",
        /// Something residents read about it changed.
        Changed => "changed",
        /// It was retired (its status became `retired`).
        Retired => "retired",
    }
}

impl VersionKind {
    /// The kind of the version `new` makes after `old` (none: the first).
    pub fn of(old: Option<&SystemRecord>, new: &SystemRecord) -> VersionKind {
        match old {
            None => VersionKind::Added,
            Some(old) if old.status != "retired" && new.status == "retired" => VersionKind::Retired,
            Some(_) => VersionKind::Changed,
        }
    }
}

/// One field that changed, its values in one language (`""` when it had none).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldChange {
    /// The field's name in the register file (`retention`, `status`), for a purpose
    /// `purposes.{key}` (added) and `purposes.{key}.{field}`, for a located device
    /// `devices.{code}` (placed or removed) and `devices.{code}.{label|geometry}`.
    pub field: String,
    pub before: String,
    pub after: String,
}

/// One version as a reader sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VersionView {
    pub version: i64,
    /// RFC 3339, UTC.
    pub at: String,
    pub kind: VersionKind,
    pub system_slug: String,
    pub system_name: String,
    /// What changed from the version before (empty for the first).
    pub changes: Vec<FieldChange>,
}

/// A change to a system the resident follows or holds data in, for their notifications.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SystemNotice {
    pub id: String,
    pub system_slug: String,
    pub system_name: String,
    pub version: i64,
    pub kind: VersionKind,
    /// RFC 3339, UTC.
    pub at: String,
    pub read: bool,
}

fn text(t: &LocalizedText, lang: Lang) -> String {
    t.get(lang).to_owned()
}

/// What changed from `old` to `new`, field by field, values in `lang`. A text counts as
/// changed when any of its languages did.
pub fn field_changes(old: &SystemRecord, new: &SystemRecord, lang: Lang) -> Vec<FieldChange> {
    let mut out = Vec::new();
    let mut push = |field: String, before: String, after: String| {
        out.push(FieldChange { field, before, after });
    };
    let none = LocalizedText::default();
    let texts: [(&str, &LocalizedText, &LocalizedText); 10] = [
        ("name", &old.name, &new.name),
        ("description", &old.description, &new.description),
        ("location", &old.location, &new.location),
        ("data_subjects", &old.data_subjects, &new.data_subjects),
        ("retention", &old.retention, &new.retention),
        ("access", &old.access, &new.access),
        ("recipients", &old.recipients, &new.recipients),
        ("transfers", &old.transfers, &new.transfers),
        ("security", &old.security, &new.security),
        (
            "algorithm",
            old.algorithm.as_ref().unwrap_or(&none),
            new.algorithm.as_ref().unwrap_or(&none),
        ),
    ];
    let codes: [(&str, String, String); 8] = [
        ("agency", old.agency.clone(), new.agency.clone()),
        ("technology", old.technology.clone(), new.technology.clone()),
        ("status", old.status.clone(), new.status.clone()),
        ("scope", old.scope.clone(), new.scope.clone()),
        (
            "identifies_people",
            old.identifies_people.to_string(),
            new.identifies_people.to_string(),
        ),
        (
            "algorithmic_decisions",
            old.algorithmic_decisions.to_string(),
            new.algorithmic_decisions.to_string(),
        ),
        (
            "retention_days",
            old.retention_days.map(|d| d.to_string()).unwrap_or_default(),
            new.retention_days.map(|d| d.to_string()).unwrap_or_default(),
        ),
        ("reviewed_on", old.reviewed_on.clone(), new.reviewed_on.clone()),
    ];
    for (field, before, after) in codes {
        if before != after {
            push(field.to_owned(), before, after);
        }
    }
    for (field, before, after) in texts {
        if before != after {
            push(field.to_owned(), text(before, lang), text(after, lang));
        }
    }
    out.extend(purpose_changes(old, new, lang));
    out
}

/// What changed in a system's located devices, by code: each one placed (`devices.{code}`,
/// with its label after) or removed (its label before), and the label or the shape of a kept
/// one (`devices.{code}.label`, `devices.{code}.geometry`: kind and positions).
pub fn device_changes(old: &[DeviceRecord], new: &[DeviceRecord], lang: Lang) -> Vec<FieldChange> {
    let mut out = Vec::new();
    let shape = |d: &DeviceRecord| format!("{}: {}", d.geometry.kind(), d.geometry.to_form());
    for d in new {
        let Some(was) = old.iter().find(|o| o.code == d.code) else {
            out.push(FieldChange {
                field: format!("devices.{}", d.code),
                before: String::new(),
                after: text(&d.label, lang),
            });
            continue;
        };
        if was.label != d.label {
            out.push(FieldChange {
                field: format!("devices.{}.label", d.code),
                before: text(&was.label, lang),
                after: text(&d.label, lang),
            });
        }
        if was.geometry != d.geometry {
            out.push(FieldChange {
                field: format!("devices.{}.geometry", d.code),
                before: shape(was),
                after: shape(d),
            });
        }
    }
    for was in old.iter().filter(|o| !new.iter().any(|d| d.code == o.code)) {
        out.push(FieldChange {
            field: format!("devices.{}", was.code),
            before: text(&was.label, lang),
            after: String::new(),
        });
    }
    out
}

/// What changed in the purposes: added ones, and each field of a kept one.
fn purpose_changes(old: &SystemRecord, new: &SystemRecord, lang: Lang) -> Vec<FieldChange> {
    let mut out = Vec::new();
    let mut push = |field: String, before: String, after: String| {
        out.push(FieldChange { field, before, after });
    };
    for p in &new.purposes {
        let Some(was) = old.purposes.iter().find(|o| o.key == p.key) else {
            push(format!("purposes.{}", p.key), String::new(), text(&p.name, lang));
            continue;
        };
        let at = |field: &str| format!("purposes.{}.{field}", p.key);
        if was.legal_basis != p.legal_basis {
            push(at("legal_basis"), was.legal_basis.clone(), p.legal_basis.clone());
        }
        if was.data_categories != p.data_categories {
            push(
                at("data_categories"),
                was.data_categories.join(", "),
                p.data_categories.join(", "),
            );
        }
        if was.name != p.name {
            push(at("name"), text(&was.name, lang), text(&p.name, lang));
        }
        if was.description != p.description {
            push(
                at("description"),
                text(&was.description, lang),
                text(&p.description, lang),
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record() -> SystemRecord {
        let json = r#"{"slug": "cams", "name": {"en": "Cameras", "es": "Cámaras"},
            "description": {"en": "Street cameras"}, "agency": "police", "technology": "cctv",
            "status": "active", "scope": "public_space", "identifies_people": true,
            "algorithmic_decisions": false, "location": {}, "data_subjects": {},
            "retention_days": 30, "retention": {"en": "30 days"}, "access": {}, "recipients": {},
            "transfers": {}, "security": {}, "reviewed_on": "2026-01-05",
            "purposes": [{"key": "safety", "name": {"en": "Safety"}, "description": {"en": "Watch"},
              "legal_basis": "public_task", "data_categories": ["images_video"]}]}"#;
        serde_json::from_str(json).unwrap()
    }

    fn device(code: &str, label: &str, geometry: crate::street::Geometry) -> DeviceRecord {
        DeviceRecord {
            code: code.into(),
            system: "cams".into(),
            label: LocalizedText::new([(Lang::En, label.into())]),
            geometry,
        }
    }

    #[test]
    fn a_device_placed_moved_relabelled_or_removed_is_a_change() {
        use crate::street::Geometry::{Line, Point};
        let old = [
            device("cam-1", "Main St", Point([-71.05, 42.36])),
            device("cam-2", "Elm St", Point([-71.06, 42.37])),
            device("cam-3", "Oak St", Point([-71.07, 42.38])),
        ];
        let new = [
            device("cam-1", "Main St", Point([-71.05, 42.36])),
            device(
                "cam-2",
                "Elm St and 3rd",
                Line(vec![[-71.06, 42.37], [-71.061, 42.371]]),
            ),
            device("cam-4", "Pine St", Point([-71.08, 42.39])),
        ];
        let changes = device_changes(&old, &new, Lang::En);
        let got: Vec<(&str, &str, &str)> = changes
            .iter()
            .map(|c| (c.field.as_str(), c.before.as_str(), c.after.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                ("devices.cam-2.label", "Elm St", "Elm St and 3rd"),
                (
                    "devices.cam-2.geometry",
                    "point: -71.06 42.37",
                    "line: -71.06 42.37; -71.061 42.371"
                ),
                ("devices.cam-4", "", "Pine St"),
                ("devices.cam-3", "Oak St", ""),
            ]
        );
        assert!(device_changes(&new, &new, Lang::En).is_empty());
    }

    #[test]
    fn each_changed_field_is_listed_with_its_values_in_the_readers_language() {
        let old = record();
        let mut new = record();
        new.retention_days = Some(90);
        new.name = LocalizedText::new([(Lang::En, "Cameras".into()), (Lang::Es, "Cámaras urbanas".into())]);
        new.purposes[0].data_categories.push("location".into());
        new.purposes.push(new.purposes[0].clone());
        new.purposes[1].key = "traffic".into();
        let changes = field_changes(&old, &new, Lang::Es);
        let fields: Vec<&str> = changes.iter().map(|c| c.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "retention_days",
                "name",
                "purposes.safety.data_categories",
                "purposes.traffic"
            ]
        );
        assert_eq!(
            (changes[1].before.as_str(), changes[1].after.as_str()),
            ("Cámaras", "Cámaras urbanas")
        );
        assert_eq!(changes[2].after, "images_video, location");
        assert!(field_changes(&old, &old, Lang::En).is_empty());
    }

    #[test]
    fn retiring_is_its_own_kind_of_version() {
        let old = record();
        let mut new = record();
        assert_eq!(VersionKind::of(None, &new), VersionKind::Added);
        new.status = "retired".into();
        assert_eq!(VersionKind::of(Some(&old), &new), VersionKind::Retired);
        assert_eq!(VersionKind::of(Some(&new), &new), VersionKind::Changed);
    }
}
